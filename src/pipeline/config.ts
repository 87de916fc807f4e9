/**
 * Loads and validates pipeline files. Validation runs once per pipeline, before any I/O starts
 * (Vector's `validate`): every problem is reported with the file and the field path, so a typo
 * never surfaces as a silent default hours into an import.
 */

import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { AppError } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import {
  DATE_PATTERN,
  DEFAULT_PIPELINE,
  EXTENSION_PATTERN,
  SITE_NAME_PATTERN,
  TEMPLATE_FORMAT_TYPES,
  VHOST_FORMAT_TYPES,
  pipelineConfigSchema,
  type FormatType,
  type PipelineConfig,
  type PipelineConfigInput,
  type PrivacyConfig,
  type SiteConfig,
} from './config-schema.js';

export { DEFAULT_PIPELINE } from './config-schema.js';

/** One problem in a pipeline: `path` is the field (`privacy.ip`, `sites["a.example"].hosts[1]`). */
export interface PipelineIssue {
  path: string;
  message: string;
}

export interface ValidateOptions {
  /** Relative paths in the pipeline are resolved against this directory; unset: left as written. */
  baseDir?: string;
}

/** A pipeline file is a few KiB; anything this large is almost surely a log passed by mistake. */
const MAX_FILE_BYTES = 1024 * 1024;

let compiled: ValidateFunction<PipelineConfigInput> | undefined;

function validator(): ValidateFunction<PipelineConfigInput> {
  // Compiled on first use, not at import: the CLI imports this module for commands that never load a pipeline.
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
    compiled = ajv.compile<PipelineConfigInput>(pipelineConfigSchema);
  }
  return compiled;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** JSON pointer (`/sites/a.example/hosts/0`) → field path (`sites["a.example"].hosts[0]`). */
function fieldPath(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[0-9]+$/.test(seg)) out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function join(path: string, key: string): string {
  if (IDENT.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** A value as quoted in a message: short, one line. */
function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  object: 'a mapping',
  array: 'a list',
};

const PATTERN_HINTS: Record<string, string> = {
  [SITE_NAME_PATTERN]: 'must be a host name (letters, digits, ".", "-", "_")',
  [DATE_PATTERN]: 'must be a date YYYY-MM-DD',
  [EXTENSION_PATTERN]: 'must be a lower-case extension without the dot (e.g. html)',
};

function didYouMean(key: string, known: readonly string[]): string {
  const best = closest(key, known);
  return best !== null ? ` (did you mean "${best}"?)` : '';
}

function describeAjvError(e: ErrorObject): PipelineIssue | undefined {
  const at = fieldPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = Object.keys((parent['properties'] as Record<string, unknown> | undefined) ?? {});
      const where = known.length > 0 ? `; known fields: ${known.join(', ')}` : '';
      return { path: join(at, key), message: `unknown field${didYouMean(key, known)}${where}` };
    }
    case 'required':
      return { path: join(at, String(params['missingProperty'])), message: 'required' };
    case 'type': {
      const types = String(params['type']).split(',').filter((t) => t !== 'null');
      return { path: at, message: `must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')} (got ${show(e.data)})` };
    }
    case 'enum':
      return {
        path: at,
        message: `must be one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')} (got ${show(e.data)})`,
      };
    case 'minimum':
    case 'maximum': {
      const min = parent['minimum'];
      const max = parent['maximum'];
      const range = typeof min === 'number' && typeof max === 'number' ? `from ${min} to ${max}` : `${String(params['comparison'])} ${String(params['limit'])}`;
      return { path: at, message: `must be ${range} (got ${show(e.data)})` };
    }
    case 'minLength':
      return { path: at, message: params['limit'] === 1 ? 'must not be empty' : `must be at least ${String(params['limit'])} characters` };
    case 'maxLength':
      return { path: at, message: `must be at most ${String(params['limit'])} characters` };
    case 'pattern': {
      const hint = PATTERN_HINTS[String(params['pattern'])] ?? `must match ${String(params['pattern'])}`;
      // A bad map key (propertyNames) is reported by ajv on the map with the key in `propertyName`.
      const name = (e as ErrorObject & { propertyName?: string }).propertyName;
      if (name !== undefined) return { path: join(at, name), message: `invalid name: ${hint}` };
      return { path: at, message: `${hint} (got ${show(e.data)})` };
    }
    case 'propertyNames':
      return undefined; // its inner error (above) names the key
    case 'uniqueItems':
      return { path: at, message: `lists the same value twice (items ${String(params['j'])} and ${String(params['i'])})` };
    default:
      return { path: at, message: e.message ?? e.keyword };
  }
}

function isValidDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** `10.0.0.0/8`, `2001:db8::/32` or a single address. */
function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const v = isIP(addr);
  if (v === 0) return false;
  if (slash < 0) return true;
  const bits = s.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return false;
  return Number(bits) <= (v === 4 ? 32 : 128);
}

function oneOf(list: readonly string[]): string {
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

/** Rules that relate fields to each other; the schema already holds. */
function crossFieldIssues(c: PipelineConfigInput): PipelineIssue[] {
  const out: PipelineIssue[] = [];
  const sourceType = c.source.type;
  const formatType: FormatType = c.format?.type ?? DEFAULT_PIPELINE.format.type;
  const routingType = c.routing?.type ?? DEFAULT_PIPELINE.routing.type;

  if (sourceType === 'stdin') {
    if ((c.source.paths ?? []).length > 0) out.push({ path: 'source.paths', message: 'not allowed when source.type is stdin' });
    if (c.source.follow === true) out.push({ path: 'source.follow', message: 'only for source.type file' });
  }

  const isTemplate = (TEMPLATE_FORMAT_TYPES as readonly string[]).includes(formatType);
  if (isTemplate && c.format?.logFormat == null) {
    out.push({ path: 'format.logFormat', message: `required when format.type is ${formatType}` });
  } else if (!isTemplate && c.format?.logFormat != null) {
    out.push({ path: 'format.logFormat', message: `only used when format.type is apache or nginx (format.type is ${formatType})` });
  }

  if (routingType === 'fixed' && c.routing?.site == null) {
    out.push({ path: 'routing.site', message: 'required when routing.type is fixed' });
  } else if (routingType !== 'fixed' && c.routing?.site != null) {
    out.push({ path: 'routing.site', message: `only used when routing.type is fixed (routing.type is ${routingType})` });
  }
  if (routingType === 'vhost' && !(VHOST_FORMAT_TYPES as readonly string[]).includes(formatType)) {
    out.push({
      path: 'routing.type',
      message: `vhost routing needs a format that logs the virtual host (format.type ${oneOf(VHOST_FORMAT_TYPES)}), but format.type is ${formatType}`,
    });
  }
  if (routingType === 'file') {
    if (c.routing?.files === undefined || Object.keys(c.routing.files).length === 0) {
      out.push({ path: 'routing.files', message: 'required (at least one file → site) when routing.type is file' });
    }
    if (sourceType !== 'file') out.push({ path: 'routing.type', message: 'file routing needs source.type file' });
  } else if (Object.keys(c.routing?.files ?? {}).length > 0) {
    out.push({ path: 'routing.files', message: `only used when routing.type is file (routing.type is ${routingType})` });
  }
  // 'reject' is the default and what file routing does anyway; only an explicit 'accept' can mislead.
  if (routingType !== 'vhost' && c.routing?.unknown === 'accept') {
    out.push({ path: 'routing.unknown', message: `accept is only possible when routing.type is vhost (routing.type is ${routingType})` });
  }
  const unknown = c.routing?.unknown ?? DEFAULT_PIPELINE.routing.unknown;
  if (routingType === 'vhost' && unknown === 'reject' && Object.keys(c.sites ?? {}).length === 0) {
    out.push({
      path: 'sites',
      message:
        'vhost routing with routing.unknown reject (both defaults) would reject every line: list the sites, ' +
        'or set routing.unknown: accept, or use routing.type fixed',
    });
  }

  // Site names and hosts compare case-insensitively: they are lower-cased on load.
  const owner = new Map<string, string>();
  const siteKeys = new Map<string, string>();
  for (const [site, s] of Object.entries(c.sites ?? {})) {
    const at = join('sites', site);
    const lower = site.toLowerCase();
    const same = siteKeys.get(lower);
    if (same !== undefined) out.push({ path: at, message: `is the same site as ${same} (names are case-insensitive)` });
    siteKeys.set(lower, site);
    (s.hosts ?? []).forEach((host, i) => {
      const h = host.toLowerCase();
      const prev = owner.get(h);
      if (prev !== undefined && prev !== lower) {
        out.push({ path: `${join(at, 'hosts')}[${i}]`, message: `host ${h} already belongs to site ${prev}` });
      } else {
        owner.set(h, lower);
      }
    });
    if (s.contractEnd != null && !isValidDate(s.contractEnd)) {
      out.push({ path: join(at, 'contractEnd'), message: `is not a calendar date (got ${show(s.contractEnd)})` });
    }
  }
  // A site name is implicitly its own host: it must not be claimed by another site's hosts.
  for (const site of siteKeys.keys()) {
    const prev = owner.get(site);
    if (prev !== undefined && prev !== site) {
      out.push({ path: join('sites', prev), message: `hosts lists ${site}, which is a site of its own` });
    }
  }

  (c.enrich?.trustedProxies ?? []).forEach((p, i) => {
    if (!isCidr(p)) out.push({ path: `enrich.trustedProxies[${i}]`, message: `must be an IP address or CIDR block like 10.0.0.0/8 (got ${show(p)})` });
  });
  return out;
}

/** Every problem in a parsed pipeline object, schema first; empty when it is valid. */
export function listPipelineIssues(obj: unknown): PipelineIssue[] {
  const validate = validator();
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return [{ path: '', message: `must be a mapping of pipeline settings (got ${show(obj)})` }];
  }
  if (!validate(obj)) {
    const seen = new Set<string>();
    const out: PipelineIssue[] = [];
    for (const e of validate.errors ?? []) {
      const issue = describeAjvError(e);
      if (issue === undefined) continue;
      const id = `${issue.path}\0${issue.message}`;
      if (!seen.has(id)) {
        seen.add(id);
        out.push(issue);
      }
    }
    return out;
  }
  return crossFieldIssues(obj);
}

function formatIssues(sourceName: string, issues: readonly PipelineIssue[]): string {
  return issues.map((i) => `${sourceName}: ${i.path === '' ? '(top level)' : i.path}: ${i.message}`).join('\n');
}

function resolvePath(p: string, baseDir: string | undefined): string {
  return baseDir === undefined || isAbsolute(p) ? p : resolve(baseDir, p);
}

function mergePrivacy(base: PrivacyConfig, over: Partial<PrivacyConfig> | undefined): PrivacyConfig {
  return {
    ip: over?.ip ?? base.ip,
    ipv4Prefix: over?.ipv4Prefix ?? base.ipv4Prefix,
    ipv6Prefix: over?.ipv6Prefix ?? base.ipv6Prefix,
    user: over?.user ?? base.user,
    query: over?.query ?? base.query,
    queryAllow: over?.queryAllow ?? base.queryAllow,
    rawWindowDays: over?.rawWindowDays ?? base.rawWindowDays,
  };
}

function fillDefaults(c: PipelineConfigInput, sourceName: string, baseDir: string | undefined): PipelineConfig {
  const D = DEFAULT_PIPELINE;
  const privacy = mergePrivacy(D.privacy, c.privacy);
  const sites: Record<string, SiteConfig> = {};
  for (const [name, s] of Object.entries(c.sites ?? {})) {
    const site = name.toLowerCase();
    const hosts = [site, ...new Set((s.hosts ?? []).map((h) => h.toLowerCase()).filter((h) => h !== site))];
    sites[site] = { hosts, contractEnd: s.contractEnd ?? null, privacy: mergePrivacy(privacy, s.privacy) };
  }
  const files: Record<string, string> = {};
  for (const [k, site] of Object.entries(c.routing?.files ?? {})) {
    // Keys with a directory part are paths (resolved like source.paths); bare names match base names.
    files[k.includes('/') ? resolvePath(k, baseDir) : k] = site.toLowerCase();
  }
  const storePath = c.store?.path;
  const base = basename(sourceName, extname(sourceName));
  return {
    name: c.name ?? (base === '' ? 'pipeline' : base),
    source: {
      type: c.source.type,
      paths: (c.source.paths ?? D.source.paths).map((p) => resolvePath(p, baseDir)),
      follow: c.source.follow ?? D.source.follow,
    },
    format: { type: c.format?.type ?? D.format.type, logFormat: c.format?.logFormat ?? D.format.logFormat },
    routing: {
      type: c.routing?.type ?? D.routing.type,
      site: c.routing?.site == null ? D.routing.site : c.routing.site.toLowerCase(),
      files,
      unknown: c.routing?.unknown ?? D.routing.unknown,
    },
    sites,
    enrich: {
      ua: c.enrich?.ua ?? D.enrich.ua,
      geo: c.enrich?.geo ?? D.enrich.geo,
      geoDatabase: c.enrich?.geoDatabase == null ? D.enrich.geoDatabase : resolvePath(c.enrich.geoDatabase, baseDir),
      referrers: c.enrich?.referrers ?? D.enrich.referrers,
      trustedProxies: [...(c.enrich?.trustedProxies ?? D.enrich.trustedProxies)],
      pageExtensions: [...(c.enrich?.pageExtensions ?? D.enrich.pageExtensions)],
    },
    metrics: {
      count4xxVisitors: c.metrics?.count4xxVisitors ?? D.metrics.count4xxVisitors,
      ignoreCrawlers: c.metrics?.ignoreCrawlers ?? D.metrics.ignoreCrawlers,
      visitTimeoutMinutes: c.metrics?.visitTimeoutMinutes ?? D.metrics.visitTimeoutMinutes,
      topKeysPerDay: c.metrics?.topKeysPerDay ?? D.metrics.topKeysPerDay,
    },
    privacy,
    store: {
      // URLs (clickhouse://…) are not paths.
      path: storePath == null ? D.store.path : storePath.includes('://') ? storePath : resolvePath(storePath, baseDir),
    },
  };
}

/**
 * Validates a parsed pipeline object and fills in defaults. Throws ERR_CONFIG_INVALID listing every
 * problem, one per line, as `<sourceName>: <field.path>: <what is wrong>`.
 */
export function validatePipeline(obj: unknown, sourceName: string, opts: ValidateOptions = {}): PipelineConfig {
  const issues = listPipelineIssues(obj);
  if (issues.length > 0) throw new AppError('ERR_CONFIG_INVALID', [formatIssues(sourceName, issues)]);
  return fillDefaults(obj as PipelineConfigInput, sourceName, opts.baseDir);
}

function readError(path: string, reason: string, cause?: unknown): AppError {
  return new AppError('ERR_CONFIG_READ', [path, reason], cause === undefined ? undefined : { cause });
}

/** Line and column (1-based) of a character offset, for JSON syntax errors. */
function lineCol(text: string, offset: number): string {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return `line ${line}, column ${offset - last}`;
}

function parseText(path: string, text: string): unknown {
  if (extname(path).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const pos = /position (\d+)/.exec(msg);
      throw readError(path, pos?.[1] === undefined ? msg : `${lineCol(text, Number(pos[1]))}: ${msg}`, e);
    }
  }
  // prettyErrors fills in linePos; its message also quotes the source lines, which we drop.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const err = doc.errors[0];
  if (err !== undefined) {
    const pos = err.linePos?.[0];
    const where = pos === undefined ? '' : `line ${pos.line}, column ${pos.col}: `;
    const what = (err.message.split('\n')[0] ?? err.code).replace(/ at line \d+, column \d+:?$/, '');
    throw readError(path, `${where}${what}`, err);
  }
  try {
    // Alias expansion is capped so a "billion laughs" file cannot exhaust memory.
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (e) {
    throw readError(path, e instanceof Error ? e.message : String(e), e);
  }
}

/**
 * Reads and parses a pipeline file (YAML, or JSON when the name ends in .json) without validating
 * it. For callers that merge overrides (CLI flags) into the file's own fields before validating:
 * `validatePipeline(merged, path, { baseDir: dirname(resolve(path)) })`. Merging into an already
 * filled config also works, but then per-site privacy (filled from the file's global privacy)
 * no longer follows a changed global privacy.
 * Throws ERR_CONFIG_READ (I/O or syntax, with line and column).
 */
export function readPipelineFile(path: string): unknown {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw readError(path, 'not a regular file');
    if (st.size > MAX_FILE_BYTES) throw readError(path, `file is ${st.size} bytes; a pipeline file is at most 1 MiB`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e);
    throw readError(path, reason, e);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseText(path, text);
}

/**
 * Reads a pipeline file, validates it and fills in defaults. Relative paths inside it are resolved
 * against the file's directory. Throws ERR_CONFIG_READ (I/O or syntax, with line and column) or
 * ERR_CONFIG_INVALID (every problem, each naming its field).
 */
export function loadPipelineFile(path: string): PipelineConfig {
  return validatePipeline(readPipelineFile(path), path, { baseDir: dirname(resolve(path)) });
}
