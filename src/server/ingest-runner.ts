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
import { appError } from '../core/errors.js';
import { buildIngest, type BuiltPipeline, type IngestSummary, type PipelineConfig, type PurgeResult, runIngest, runPurge, settingsFromConfig, withAccountSites } from '../pipeline/index.js';
import { type AccountStore, RawSpool, type Store } from '../store/index.js';
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
  /** Compact what the ingests wrote and run the retention rules, queued behind running ingests (one writer). */
  purge(now: Date): Promise<PurgeResult>;
  /** Resolves when every queued and running ingest has finished (graceful shutdown). */
  idle(): Promise<void>;
  /** After idle(): releases the compiled pipeline (databases, worker threads). */
  close(): Promise<void>;
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
  /** Called after an ingest committed, with the sites that received data (the live pages). */
  onCommitted?: (sites: readonly string[]) => void;
  /** The server's clock: the day raw windows and key lifetimes are counted back from. */
  today: () => string;
}): IngestRunner {
  const { store, accounts, keys, config, metrics } = deps;
  let tail: Promise<unknown> = Promise.resolve();
  // The body is the source; per-file routing has no files here.
  const routingConfig = config.routing.type === 'file' ? { ...config.routing, type: 'vhost' as const } : config.routing;
  const base = settingsFromConfig({ ...config, source: { type: 'stdin', paths: [], follow: false }, routing: routingConfig }, ONE_BATCH);
  // The raw window applies to HTTP ingest as to files: lines of sites with a window are spooled.
  const keepsRaw = deps.rawDir !== null && (base.rawWindowDays > 0 || [...base.sites.values()].some((x) => (x.rawWindowDays ?? 0) > 0));
  /** Compiled once for the life of the server (parsers, enrichers, the country table, the anonymiser). */
  let built: Promise<BuiltPipeline> | null = null;
  /** The sites the compiled stages were last told about (accounts change while the server runs). */
  let sitesSeen = '';

  async function runOne(job: IngestJob): Promise<IngestSummary> {
    // The client gave up (or a limit tripped) while the job was queued: nothing to build or read.
    if (job.stream.destroyed) throw job.stream.errored ?? appError('ERR_INGEST_BODY', 'the client closed the connection');
    // Sites and host names registered with `weblog site add` join those of the pipeline file, as
    // for `weblog ingest`: host names make referrers internal and route to the owning site, and
    // vhost routing accepts exactly these sites unless --accept-unknown-vhosts. The routing only
    // applies when the URL names no site.
    const settings = withAccountSites(
      { ...base, inputs: [{ path: 'http', site: job.site, stream: job.stream }], routing: { type: 'vhost', known: null } },
      await accounts.sites(),
      deps.acceptUnknownVhosts ? 'accept' : 'reject',
    );
    const sites = settings.sites;
    // One spool for the server's life: it reads the committed sizes from the store at every
    // commit, so the hourly purge and other ingests writing the same spool are taken into account.
    built ??= (async () => {
      const spool = keepsRaw ? await RawSpool.open(deps.rawDir!, () => store.rawFiles()) : null;
      return buildIngest({ ...settings, inputs: [] }, store, keys, spool, {}, deps.today);
    })();
    const b = await built;
    const fingerprint = JSON.stringify([...sites]);
    if (fingerprint !== sitesSeen) {
      b.plan.executor.updateSites(sites);
      sitesSeen = fingerprint;
    }
    return runIngest({ ...b.plan, inputs: settings.inputs, routing: settings.routing });
  }

  return {
    purge(now) {
      // As after `weblog ingest`: the site-days the requests since the last run wrote in pieces
      // are compacted, and the weeks and months they ended are rolled up, before the retention rules.
      const result = tail.then(async () => {
        await store.compact();
        return runPurge(store, keys, deps.rawDir ?? '', now);
      });
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
          deps.onCommitted?.(summary.sites);
          return summary;
        } finally {
          metrics.ingestsInFlight--;
        }
      });
      tail = result.catch(() => undefined);
      return result;
    },
    async close() {
      const b = built;
      built = null;
      if (b !== null) await (await b).close();
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
