/**
 * The per-line stages of one thread, compiled once from plain settings (Vector's config → build
 * step): the enrichers and their tables, the anonymiser, the aggregator, the site tables. The
 * main thread builds one set for an inline ingest; each worker thread builds its own from a copy
 * of the same settings, so both run exactly the same code.
 */
import { createBatchAggregator, type BatchAggregator, type KeyDisplay } from '../../aggregate/index.js';
import { createByteAnonymiser, scrub, type ByteAnonymiser, type KeyRing, type PrivacyPolicy } from '../../anonymise/index.js';
import { SiteDays, SiteTable } from '../../core/site-days.js';
import { createAttackSignal, DEFAULT_ATTACK_SIGNAL, type AttackFlag, type AttackSignal } from '../../detect/index.js';
import { createLineEnricher, createReferrerClassifier, createUaClassifier, openGeoLookup, ownHostKeys, type GeoLookup, type LineEnricher } from '../../enrich/index.js';
import { bytesToText, createByteClientResolver, type ByteClientResolver } from '../../parse/index.js';
import { isExpired } from '../../anonymise/index.js';
import { dayToIso } from '../../core/dates.js';

export interface SiteSettings {
  readonly hosts: readonly string[];
  readonly privacy?: PrivacyPolicy;
  readonly rawWindowDays?: number;
}

/** What the per-line stages are built from (plain data: a worker thread receives a copy). */
export interface StageSettings {
  readonly sites: ReadonlyMap<string, SiteSettings>;
  readonly enrich: {
    readonly ua: boolean;
    readonly geo: boolean;
    readonly geoDatabase: string | null;
    readonly referrers: boolean;
    readonly trustedProxies: readonly string[];
    readonly pageExtensions: readonly string[];
  };
  readonly metrics: {
    readonly count4xxVisitors: boolean;
    readonly ignoreCrawlers: boolean;
    readonly visitTimeoutMinutes: number;
    readonly topKeysPerDay: number;
  };
  readonly privacy: PrivacyPolicy;
  /** Days raw lines are kept (0: never written). Per-site overrides in `sites`. */
  readonly rawWindowDays: number;
}

export const DEFAULT_PAGE_EXTENSIONS = ['html', 'htm', 'shtml', 'php', 'php3', 'php5', 'phtml', 'asp', 'aspx', 'jsp', 'cgi', 'pl', 'py'];

/** A site's settings resolved for the line path (by site index). */
export interface SiteRules {
  readonly policy: PrivacyPolicy;
  readonly windowDays: number;
  /** Own host names (without www.): Referers from them are internal. */
  readonly ownHosts: ReadonlySet<string>;
}

export interface Stages {
  readonly sites: SiteTable;
  readonly siteDays: SiteDays;
  readonly rules: (site: number) => SiteRules;
  readonly enricher: LineEnricher;
  readonly anonymiser: ByteAnonymiser;
  readonly aggregator: BatchAggregator;
  readonly clientResolver: ByteClientResolver | null;
  readonly attack: AttackSignal | null;
  /** Whether a line of (site, day number) goes to the raw window (days already past it never do). */
  readonly rawKeeps: ((site: number, day: number) => boolean) | null;
  readonly attribution: readonly string[];
  /** The day the raw window is counted back from (a long-running server moves it at midnight). */
  today: string;
  /** New per-site settings (a server's accounts changed): later lines follow them. */
  updateSites(sites: ReadonlyMap<string, SiteSettings>): void;
  close(): void;
}

export async function buildStages(
  s: StageSettings,
  keys: KeyRing,
  opts: { readonly raw: boolean; readonly today: string; readonly onAttack: ((f: AttackFlag) => void) | null },
): Promise<Stages> {
  let siteSettings = s.sites;
  let geo: GeoLookup | null = null;
  if (s.enrich.geo) geo = await openGeoLookup(s.enrich.geoDatabase ? { path: s.enrich.geoDatabase } : {});
  const sites = new SiteTable();
  const rules: SiteRules[] = [];
  const rulesOf = (site: number): SiteRules => {
    let r = rules[site];
    if (r === undefined) {
      const name = sites.nameOf(site);
      const conf = siteSettings.get(name);
      r = {
        policy: conf?.privacy ?? s.privacy,
        windowDays: conf?.rawWindowDays ?? s.rawWindowDays,
        ownHosts: ownHostKeys(conf?.hosts ?? [name]),
      };
      rules[site] = r;
    }
    return r;
  };
  const enricher = createLineEnricher(s.enrich.ua ? createUaClassifier() : null, s.enrich.referrers ? createReferrerClassifier({ hosts: [] }) : null);
  const anonymiser = createByteAnonymiser({
    policyOf: (site) => rulesOf(site).policy,
    windowOf: (site) => rulesOf(site).windowDays,
    keys,
    count4xxVisitors: s.metrics.count4xxVisitors,
    countryOf: geo === null ? null : (b, st, e) => geo!.countryOfBytes(b, st, e),
    pageExtensions: new Set(s.enrich.pageExtensions.map((e) => e.toLowerCase().replace(/^\./, ''))),
  });
  const siteDays = new SiteDays(sites);
  const pathText = (id: number): string => {
    const b = anonymiser.pathBytes(id);
    return scrub(bytesToText(Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1')));
  };
  const display: KeyDisplay = {
    path: pathText,
    ua: (id) => enricher.uaInfo(id),
    ref: (id) => enricher.referrerInfo(id),
    refInternal: (sd, id) => rulesOf(siteDays.siteIndex(sd)).ownHosts.has(enricher.referrerHost(id)),
    method: (id) => bytesToText(enricher.methodText(id)),
    protocol: (id) => bytesToText(enricher.protocolText(id)),
    fileType: (id) => bytesToText(anonymiser.fileType(id)),
    scrub: (t) => scrub(bytesToText(t)),
  };
  const aggregator = createBatchAggregator(
    { visitTimeoutSec: s.metrics.visitTimeoutMinutes * 60, topKeysPerDay: s.metrics.topKeysPerDay, ignoreCrawlers: s.metrics.ignoreCrawlers },
    display,
  );
  let keepsDay = new Map<number, boolean>();
  let keepsToday = opts.today;
  const stages: Stages = {
    today: opts.today,
    sites,
    siteDays,
    rules: rulesOf,
    enricher,
    anonymiser,
    aggregator,
    clientResolver: s.enrich.trustedProxies.length > 0 ? createByteClientResolver(s.enrich.trustedProxies) : null,
    attack: opts.onAttack ? createAttackSignal(DEFAULT_ATTACK_SIGNAL, opts.onAttack) : null,
    rawKeeps: opts.raw
      ? (site: number, day: number): boolean => {
          const w = rulesOf(site).windowDays;
          if (w <= 0) return false;
          if (keepsToday !== stages.today) {
            keepsDay = new Map();
            keepsToday = stages.today;
          }
          const k = day * 1024 + Math.min(w, 1023);
          let v = keepsDay.get(k);
          if (v === undefined) {
            v = !isExpired(dayToIso(day), w, keepsToday);
            keepsDay.set(k, v);
          }
          return v;
        }
      : null,
    attribution: geo?.attribution ? [geo.attribution] : [],
    updateSites(next) {
      siteSettings = next;
      rules.length = 0;
    },
    close: () => geo?.close?.(),
  };
  return stages;
}
