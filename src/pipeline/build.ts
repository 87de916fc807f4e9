/**
 * Compiles resolved settings into a running ingest (Vector's config → build step): the executor
 * with its stages (inline or in worker threads: the parser templates are compiled per input, the
 * enrichers, their databases and the anonymiser once), and the plan that reads inputs through it.
 * Everything expensive happens here, once per process; `weblog serve` builds one and runs every
 * /ingest request through it.
 */
import type { SiteMeta } from '../aggregate/index.js';
import { ipPolicySpec, userPolicySpec, type KeyRing } from '../anonymise/index.js';
import type { AttackFlag } from '../detect/index.js';
import { DBIP_ATTRIBUTION } from '../enrich/index.js';
import type { FormatSpec } from '../parse/index.js';
import type { RawSpool, Store } from '../store/index.js';
import { createExecutor, type Executor } from './engine/executor.js';
import { DEFAULT_PAGE_EXTENSIONS, type SiteSettings, type StageSettings } from './engine/stages.js';
import type { IngestInput, IngestPlan, Progress, Routing } from './ingest.js';

export { DEFAULT_PAGE_EXTENSIONS };
export type { SiteSettings, StageSettings };

export interface IngestSettings extends StageSettings {
  readonly inputs: readonly IngestInput[];
  readonly format: FormatSpec | 'auto';
  readonly routing: Routing;
  readonly batchLines: number;
  /** Worker threads for the per-line path; 0 (the default) runs it on the main thread. */
  readonly workers?: number;
}

export interface BuiltPipeline {
  readonly plan: IngestPlan;
  close(): Promise<void>;
}

export interface IngestHooks {
  readonly onProgress?: (p: Progress) => void;
  readonly onNotice?: (m: string) => void;
  readonly onAttack?: (f: AttackFlag) => void;
}

/** What every report of a site says about how its data was made. */
export function siteMetaFor(s: StageSettings, attribution: readonly string[]): (site: string) => SiteMeta {
  return (site) => {
    const conf = s.sites.get(site);
    const p = conf?.privacy ?? s.privacy;
    return { ip: [ipPolicySpec(p)], user: [userPolicySpec(p)], attribution: [...attribution], rawWindowDays: conf?.rawWindowDays ?? s.rawWindowDays };
  };
}

export async function buildIngest(
  s: IngestSettings,
  store: Store,
  keys: KeyRing,
  rawSpool: RawSpool | null,
  hooks: IngestHooks = {},
  /** The day the raw window and key lifetimes are counted back from: fixed (`--now`), or the clock's. */
  today: string | (() => string) = () => new Date().toISOString().slice(0, 10),
): Promise<BuiltPipeline> {
  let workers = s.workers ?? 0;
  // Attack detection follows each address through consecutive lines: one thread must see them all.
  if (workers > 0 && hooks.onAttack) {
    hooks.onNotice?.('--attack-signal needs every line in one thread: ingesting without worker threads');
    workers = 0;
  }
  const stageSettings: StageSettings = { sites: s.sites, enrich: s.enrich, metrics: s.metrics, privacy: s.privacy, rawWindowDays: s.rawWindowDays };
  const clock = typeof today === 'string' ? () => today : today;
  const executor: Executor = await createExecutor(workers, { settings: stageSettings, keys, raw: rawSpool !== null, today: clock, onAttack: hooks.onAttack ?? null });
  const attribution = s.enrich.geo && s.enrich.geoDatabase === null ? [DBIP_ATTRIBUTION] : [];
  const plan: IngestPlan = {
    inputs: s.inputs,
    format: s.format,
    routing: s.routing,
    executor,
    store,
    rawSpool,
    siteMeta: siteMetaFor(stageSettings, attribution),
    batchLines: s.batchLines,
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    ...(hooks.onNotice ? { onNotice: hooks.onNotice } : {}),
  };
  return { plan, close: () => executor.close() };
}
