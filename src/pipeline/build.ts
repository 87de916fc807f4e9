/**
 * Compiles resolved settings into running stages (Vector's config → build step): the parser
 * template, enrichers and their databases, the anonymiser with its key ring, the aggregator.
 * Everything expensive happens here, once; the per-line path only calls what this returns.
 */
import { createAggregator, type Aggregator } from '../aggregate/aggregator.js';
import type { SiteMeta } from '../aggregate/delta.js';
import { createAnonymiser, describeIpPolicy, describeUserPolicy, scrub, type KeyRing, type PrivacyPolicy } from '../anonymise/index.js';
import { createAttackSignal, DEFAULT_ATTACK_SIGNAL, type AttackFlag } from '../detect/index.js';
import { createReferrerClassifier, createUaClassifier, openGeoLookup, type GeoLookup } from '../enrich/index.js';
import { bytesToText, createClientResolver, createParser, type FormatSpec, type LineParser } from '../parse/index.js';
import type { RawSpool } from '../store/raw-spool.js';
import type { Store } from '../store/store.js';
import type { IngestInput, IngestPlan, Progress } from './ingest.js';
import { IngestWorkers } from './parallel/pool.js';
import { rawCutoff } from './retention.js';
import { createLineProcessor, type Enrichers, type LineProcessor, type Routing } from './line-processor.js';

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

export interface IngestSettings extends StageSettings {
  readonly inputs: readonly IngestInput[];
  readonly format: FormatSpec | 'auto';
  readonly routing: Routing;
  readonly batchLines: number;
  /** Worker threads for the per-line path; 0 (the default) runs it on the main thread. */
  readonly workers?: number;
}

export const DEFAULT_PAGE_EXTENSIONS = ['html', 'htm', 'shtml', 'php', 'php3', 'php5', 'phtml', 'asp', 'aspx', 'jsp', 'cgi', 'pl', 'py'];

/**
 * A raw line of day D is kept while D ≥ today − W (the purge rule): lines of days already past
 * their window are never written, so importing old logs leaves no raw data even for a moment.
 */
function rawKeeps(windowOf: (site: string) => number, today: string): (site: string, date: string) => boolean {
  let lastSite = '';
  let lastDate = '';
  let last = false;
  return (site, date) => {
    if (site === lastSite && date === lastDate) return last;
    const w = windowOf(site);
    last = w > 0 && date >= rawCutoff(today, w);
    lastSite = site;
    lastDate = date;
    return last;
  };
}

export interface BuiltPipeline {
  readonly plan: IngestPlan;
  close(): Promise<void>;
}

/** The per-line stages of an ingest, built from settings: what a worker thread builds too. */
export interface BuiltStages {
  readonly processor: LineProcessor;
  readonly aggregator: Aggregator;
  readonly siteMeta: (site: string) => SiteMeta;
  close(): void;
}

/**
 * Builds parse-independent stages: enrichers, anonymiser, aggregator, line processor. `raw`
 * receives the lines of sites whose raw window keeps them (null: no site keeps any).
 */
export async function buildStages(
  s: StageSettings,
  keys: KeyRing,
  raw: ((site: string, date: string, line: string) => void) | null,
  onAttack: ((f: AttackFlag) => void) | null,
  today: string,
): Promise<BuiltStages> {
  let geo: GeoLookup | null = null;
  if (s.enrich.geo) geo = await openGeoLookup(s.enrich.geoDatabase ? { path: s.enrich.geoDatabase } : {});
  const hostsOf = (site: string): readonly string[] => s.sites.get(site)?.hosts ?? [site];
  const enrichers: Enrichers = {
    ua: s.enrich.ua ? createUaClassifier() : null,
    referrerFor: s.enrich.referrers ? (site) => createReferrerClassifier({ hosts: hostsOf(site) }) : null,
    clientResolver: s.enrich.trustedProxies.length > 0 ? createClientResolver(s.enrich.trustedProxies) : null,
    attack: onAttack ? createAttackSignal(DEFAULT_ATTACK_SIGNAL, onAttack) : null,
    pageExtensions: new Set(s.enrich.pageExtensions.map((e) => e.toLowerCase().replace(/^\./, ''))),
  };
  const sitePolicies = new Map<string, PrivacyPolicy>();
  for (const [name, site] of s.sites) if (site.privacy) sitePolicies.set(name, site.privacy);
  const countryOf = geo !== null ? geo.country.bind(geo) : null;
  const anonymiser = createAnonymiser({ policy: s.privacy, keys, count4xxVisitors: s.metrics.count4xxVisitors, sitePolicies, countryOf });
  const aggregator: Aggregator = createAggregator({
    visitTimeoutSec: s.metrics.visitTimeoutMinutes * 60,
    topKeysPerDay: s.metrics.topKeysPerDay,
    ignoreCrawlers: s.metrics.ignoreCrawlers,
    toText: bytesToText,
    scrub,
  });
  const attribution = geo?.attribution ? [geo.attribution] : [];
  const rawWindow = (site: string): number => s.sites.get(site)?.rawWindowDays ?? s.rawWindowDays;
  const siteMeta = (site: string): SiteMeta => {
    const p = anonymiser.policyFor(site);
    return { ipPolicy: describeIpPolicy(p), userPolicy: describeUserPolicy(p), attribution, rawWindowDays: rawWindow(site) };
  };
  const processor = createLineProcessor(enrichers, anonymiser, aggregator, raw ? { keeps: rawKeeps(rawWindow, today), append: raw } : null);
  return { processor, aggregator, siteMeta, close: () => geo?.close?.() };
}

export async function buildIngest(
  s: IngestSettings,
  store: Store,
  keys: KeyRing,
  rawSpool: RawSpool | null,
  hooks: { onProgress?: (p: Progress) => void; onNotice?: (m: string) => void; onAttack?: (f: AttackFlag) => void } = {},
  /** The day the retention rules are applied for (the raw window is counted back from it). */
  today: string = new Date().toISOString().slice(0, 10),
): Promise<BuiltPipeline> {
  const parser: LineParser | 'auto' = s.format === 'auto' ? 'auto' : createParser(s.format);
  const stages = await buildStages(s, keys, rawSpool ? (site, date, line) => rawSpool.append(site, date, line) : null, hooks.onAttack ?? null, today);
  let workers: IngestWorkers | null = null;
  if ((s.workers ?? 0) > 0) {
    // Attack detection follows each address through consecutive lines: one thread must see them all.
    if (hooks.onAttack) hooks.onNotice?.('--attack-signal needs every line in one thread: ingesting without worker threads');
    else {
      const stageSettings: StageSettings = { sites: s.sites, enrich: s.enrich, metrics: s.metrics, privacy: s.privacy, rawWindowDays: s.rawWindowDays };
      workers = new IngestWorkers(s.workers!, stageSettings, keys, rawSpool !== null, today);
    }
  }
  const plan: IngestPlan = {
    inputs: s.inputs,
    parser,
    routing: s.routing,
    processor: stages.processor,
    rawSpool,
    aggregator: stages.aggregator,
    store,
    siteMeta: stages.siteMeta,
    batchLines: s.batchLines,
    workers,
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    ...(hooks.onNotice ? { onNotice: hooks.onNotice } : {}),
  };
  return {
    plan,
    close: async () => {
      stages.close();
      await workers?.close();
    },
  };
}
