/**
 * Runs HTTP ingests through the same pipeline as `weblog ingest` (settingsFromConfig →
 * buildIngest → runIngest), one at a time: SQLite has one writer, and a single queue also keeps
 * visits exact when two shippers send the same site's lines.
 *
 * One request is one batch: its deltas are committed once, after the body's last byte. A body cut
 * off by the size limit, a broken gzip stream or a dropped connection therefore stores nothing,
 * and the shipper can resend the whole request without counting anything twice. Memory stays
 * bounded: the aggregator holds per-day counters (capped per day), not lines, and the body is
 * read only as fast as the parser consumes it (stream.pipeline backpressure down to the socket).
 */
import type { Readable } from 'node:stream';
import type { KeyRing } from '../anonymise/index.js';
import { buildIngest } from '../pipeline/build.js';
import { runPurge, type PurgeResult } from '../pipeline/retention.js';
import { RawSpool } from '../store/raw-spool.js';
import type { PipelineConfig } from '../pipeline/config-schema.js';
import { runIngest, type IngestSummary } from '../pipeline/ingest.js';
import { hostAliases, settingsFromConfig } from '../pipeline/settings.js';
import type { AccountStore } from '../store/accounts.js';
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';

export interface IngestJob {
  readonly stream: Readable;
  /** The site of every line, or null to route each line by its virtual host. */
  readonly site: string | null;
  /** When the request arrived (for the lag metric). */
  readonly arrived: number;
}

export interface IngestRunner {
  run(job: IngestJob): Promise<IngestSummary>;
  /** Run the retention rules, queued behind running ingests (one writer). */
  purge(now: Date): Promise<PurgeResult>;
  /** Resolves when every queued and running ingest has finished (graceful shutdown). */
  idle(): Promise<void>;
}

/** Never reached by one request (bodies are size-limited): the only commit is the final one. */
const ONE_BATCH = Number.MAX_SAFE_INTEGER;

export function createIngestRunner(deps: {
  store: Store;
  accounts: AccountStore;
  keys: KeyRing;
  config: PipelineConfig;
  metrics: Metrics;
  acceptUnknownVhosts: boolean;
  /** Where the raw-record window lives (`<store>.raw`); null: no raw lines are kept. */
  rawDir: string | null;
}): IngestRunner {
  const { store, accounts, keys, config, metrics } = deps;
  let tail: Promise<unknown> = Promise.resolve();

  async function runOne(job: IngestJob): Promise<IngestSummary> {
    // The body is the source; per-file routing has no files here.
    const routingConfig = config.routing.type === 'file' ? { ...config.routing, type: 'vhost' as const } : config.routing;
    const base = settingsFromConfig({ ...config, source: { type: 'stdin', paths: [], follow: false }, routing: routingConfig }, ONE_BATCH);
    // Sites and host names registered with `weblog site add` join those of the pipeline file:
    // their host names make referrers internal, and vhost routing accepts exactly these sites.
    const sites = new Map(base.sites);
    for (const a of await accounts.sites()) {
      const cur = sites.get(a.site);
      sites.set(a.site, { ...cur, hosts: [...new Set([a.site, ...(cur?.hosts ?? []), ...a.hosts])] });
    }
    const settings = {
      ...base,
      sites,
      inputs: [{ path: 'http', site: job.site, stream: job.stream }],
      routing:
        job.site !== null
          ? base.routing
          : { type: 'vhost' as const, known: deps.acceptUnknownVhosts ? null : new Set(sites.keys()), aliases: hostAliases(sites) },
    };
    // The raw window applies to HTTP ingest as to files: lines of sites with a window are spooled.
    const keepsRaw = deps.rawDir !== null && (settings.rawWindowDays > 0 || [...sites.values()].some((x) => (x.rawWindowDays ?? 0) > 0));
    const rawSpool = keepsRaw ? new RawSpool(deps.rawDir!, await store.rawFiles()) : null;
    const built = await buildIngest(settings, store, keys, rawSpool);
    try {
      return await runIngest(built.plan);
    } finally {
      await built.close();
    }
  }

  return {
    purge(now) {
      const result = tail.then(() => runPurge(store, keys, deps.rawDir ?? '', now));
      tail = result.catch(() => undefined);
      return result;
    },
    run(job) {
      metrics.ingestsQueued++;
      const result = tail.then(async () => {
        metrics.ingestsQueued--;
        metrics.ingestsInFlight++;
        try {
          const summary = await runOne(job);
          metrics.linesIn += summary.lines;
          for (const [r, n] of Object.entries(summary.rejected)) metrics.linesRejected.set(r, (metrics.linesRejected.get(r) ?? 0) + n);
          metrics.ingestLag.observe((Date.now() - job.arrived) / 1000);
          metrics.lastIngestAt = Math.floor(Date.now() / 1000);
          return summary;
        } finally {
          metrics.ingestsInFlight--;
        }
      });
      tail = result.catch(() => undefined);
      return result;
    },
    async idle() {
      // Loop: an ingest may have been queued while we waited for the previous tail.
      for (;;) {
        const t = tail;
        await t;
        if (t === tail) return;
      }
    },
  };
}
