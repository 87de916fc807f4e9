/**
 * From a validated pipeline file (config.ts) to IngestSettings: expands source globs, resolves
 * routing and per-site policies. Kept apart from the CLI so that `serve` can do the same.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { PrivacyPolicy } from '../anonymise/index.js';
import { appError } from '../core/errors.js';
import type { FormatSpec } from '../parse/index.js';
import { DEFAULT_PAGE_EXTENSIONS, type IngestSettings, type SiteSettings } from './build.js';
import type { PipelineConfig, PrivacyConfig } from './config-schema.js';
import type { IngestInput } from './ingest.js';

function globToRegExp(pattern: string): RegExp {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}

/**
 * Expands `*` and `?` in the file-name part of a path. Matches are ordered oldest first (by
 * modification time) so that rotated history (`access.log.3.gz` … `access.log`) is read in the
 * order it was written, which keeps visits exact.
 */
export function expandPaths(patterns: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    if (p === '-' || !/[*?]/.test(basename(p))) {
      out.push(p);
      continue;
    }
    const dir = dirname(p);
    const re = globToRegExp(basename(p));
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw appError('ERR_SOURCE_OPEN', p, (e as Error).message);
    }
    const matches = names
      .filter((n) => re.test(n))
      .map((n) => join(dir, n))
      .filter((f) => statSync(f).isFile())
      .map((f) => ({ f, t: statSync(f).mtimeMs }))
      .sort((a, b) => a.t - b.t || (a.f < b.f ? 1 : -1))
      .map((x) => x.f);
    out.push(...matches);
  }
  return out;
}

function toPolicy(p: PrivacyConfig): PrivacyPolicy {
  return { ip: p.ip, ipv4Prefix: p.ipv4Prefix, ipv6Prefix: p.ipv6Prefix, user: p.user, query: p.query, queryAllow: p.queryAllow };
}

/** Every host name of a site (other than its own name) routes vhost lines to it. */
export function hostAliases(sites: ReadonlyMap<string, SiteSettings>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [site, s] of sites) for (const h of s.hosts) if (h !== site && !sites.has(h)) out.set(h.toLowerCase(), site);
  return out;
}

/** A site and its other host names as the accounts know them (`weblog site add SITE --host …`). */
export interface SiteHosts {
  readonly site: string;
  readonly hosts: readonly string[];
}

/**
 * Joins the sites registered in the accounts to ingest settings, for `weblog ingest` and the
 * server's `/ingest` alike. A registered site's host names make its referrers internal and route
 * its vhost lines to it: a line of an alias, and a fixed or per-file site that is an alias, go to
 * the owning site, never to a new site that no customer owns. Vhost routing keeps its policy for
 * unknown vhosts unless `unknown` overrides it; when it rejects them, the registered sites are
 * known sites too.
 */
export function withAccountSites(s: IngestSettings, accounts: readonly SiteHosts[], unknown?: 'accept' | 'reject'): IngestSettings {
  const sites = new Map(s.sites);
  for (const a of accounts) {
    const cur = sites.get(a.site);
    sites.set(a.site, { ...cur, hosts: [...new Set([a.site, ...(cur?.hosts ?? []), ...a.hosts])] });
  }
  const aliases = hostAliases(sites);
  const owner = (name: string): string => aliases.get(name) ?? name;
  let routing: IngestSettings['routing'];
  if (s.routing.type === 'fixed') routing = { type: 'fixed', site: owner(s.routing.site) };
  else {
    const accept = unknown === undefined ? s.routing.known === null : unknown === 'accept';
    routing = { type: 'vhost', known: accept ? null : new Set(sites.keys()), aliases };
  }
  const inputs = s.inputs.map((i) => (i.site === null ? i : { ...i, site: owner(i.site) }));
  return { ...s, sites, routing, inputs };
}

export function settingsFromConfig(c: PipelineConfig, batchLines: number): IngestSettings {
  const paths = c.source.type === 'stdin' ? ['-'] : expandPaths(c.source.paths);
  if (paths.length === 0) throw appError('ERR_CONFIG_INVALID', 'source.paths: no file matches');
  const siteOfFile = (path: string): string | null => {
    if (c.routing.type !== 'file') return null;
    // Rotated copies (`shop.log.1`, `shop.log.2.gz`, `shop.log-20240301.gz`) belong to the same site.
    const unrotated = basename(path).replace(/([.-]\d+)?(\.gz)?$/, '');
    const site =
      c.routing.files[path] ?? c.routing.files[resolve(path)] ?? c.routing.files[basename(path)] ?? c.routing.files[unrotated] ?? c.routing.files[join(dirname(resolve(path)), unrotated)];
    if (site === undefined) throw appError('ERR_CONFIG_INVALID', `routing.files: no site for input ${path}`);
    return site.toLowerCase();
  };
  const inputs: IngestInput[] = paths.map((path) => ({ path, site: siteOfFile(path) }));
  const sites = new Map<string, SiteSettings>();
  for (const [name, s] of Object.entries(c.sites)) {
    sites.set(name.toLowerCase(), { hosts: s.hosts.length > 0 ? s.hosts : [name], privacy: toPolicy(s.privacy), rawWindowDays: s.privacy.rawWindowDays });
  }
  let format: FormatSpec | 'auto';
  if (c.format.type === 'auto') format = 'auto';
  else if (c.format.type === 'apache' || c.format.type === 'nginx') format = { format: c.format.type, logFormat: c.format.logFormat ?? '' };
  else format = { format: c.format.type };
  const routing: IngestSettings['routing'] =
    c.routing.type === 'fixed'
      ? { type: 'fixed', site: (c.routing.site ?? '').toLowerCase() }
      : { type: 'vhost', known: c.routing.unknown === 'reject' ? new Set(sites.keys()) : null, aliases: hostAliases(sites) };
  return {
    inputs,
    format,
    routing,
    sites,
    enrich: {
      ua: c.enrich.ua,
      geo: c.enrich.geo,
      geoDatabase: c.enrich.geoDatabase,
      referrers: c.enrich.referrers,
      trustedProxies: c.enrich.trustedProxies,
      pageExtensions: c.enrich.pageExtensions.length > 0 ? c.enrich.pageExtensions : DEFAULT_PAGE_EXTENSIONS,
    },
    metrics: c.metrics,
    privacy: toPolicy(c.privacy),
    rawWindowDays: c.privacy.rawWindowDays,
    batchLines,
  };
}
