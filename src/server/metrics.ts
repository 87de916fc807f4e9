/**
 * Prometheus metrics, written by hand (text exposition format 0.0.4): a few counters, gauges and
 * histograms do not justify a dependency. Labels are fixed, small sets (reject reasons, status
 * classes, store operations): never a site, path, address or user agent.
 */
import { REJECT_REASONS } from '../core/record.js';

/** Seconds; covers a fast query (1 ms) to a long ingest (5 min). */
const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] as const;

class Histogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(v: number): void {
    for (let i = 0; i < BUCKETS.length; i++) if (v <= BUCKETS[i]!) this.counts[i]!++;
    this.sum += v;
    this.count++;
  }

  render(name: string, labels: string, out: string[]): void {
    const sep = labels === '' ? '' : `${labels},`;
    BUCKETS.forEach((b, i) => out.push(`${name}_bucket{${sep}le="${b}"} ${this.counts[i]}`));
    out.push(`${name}_bucket{${sep}le="+Inf"} ${this.count}`);
    const l = labels === '' ? '' : `{${labels}}`;
    out.push(`${name}_sum${l} ${this.sum}`, `${name}_count${l} ${this.count}`);
  }
}

export type StoreOp = 'query' | 'commit' | 'sites';

export class Metrics {
  linesIn = 0;
  linesRejected = new Map<string, number>(REJECT_REASONS.map((r) => [r, 0]));
  ingestRequests = new Map<string, number>();
  ingestBytes = 0;
  ingestsInFlight = 0;
  ingestsQueued = 0;
  /** Unix seconds of the last committed ingest; 0 before the first. */
  lastIngestAt = 0;
  readonly ingestLag = new Histogram();
  readonly store = new Map<StoreOp, Histogram>();
  httpRequests = new Map<string, number>();
  readonly started = Date.now();

  observeStore(op: StoreOp, seconds: number): void {
    let h = this.store.get(op);
    if (h === undefined) {
      h = new Histogram();
      this.store.set(op, h);
    }
    h.observe(seconds);
  }

  countHttp(statusCode: number): void {
    const k = `${Math.floor(statusCode / 100)}xx`;
    this.httpRequests.set(k, (this.httpRequests.get(k) ?? 0) + 1);
  }

  countIngest(outcome: string): void {
    this.ingestRequests.set(outcome, (this.ingestRequests.get(outcome) ?? 0) + 1);
  }

  render(): string {
    const out: string[] = [];
    const head = (name: string, type: string, help: string): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    head('weblog_ingest_lines_total', 'counter', 'Log lines received by the ingest endpoint.');
    out.push(`weblog_ingest_lines_total ${this.linesIn}`);
    head('weblog_ingest_lines_rejected_total', 'counter', 'Log lines rejected, by reason.');
    for (const [r, n] of this.linesRejected) out.push(`weblog_ingest_lines_rejected_total{reason="${r}"} ${n}`);
    head('weblog_ingest_requests_total', 'counter', 'Ingest requests by outcome (ok or an error code).');
    for (const [k, n] of [...this.ingestRequests].sort()) out.push(`weblog_ingest_requests_total{outcome="${k}"} ${n}`);
    head('weblog_ingest_bytes_total', 'counter', 'Request body bytes read by the ingest endpoint (as sent, before gunzip).');
    out.push(`weblog_ingest_bytes_total ${this.ingestBytes}`);
    head('weblog_ingest_in_flight', 'gauge', 'Ingests running (at most one: the store has one writer).');
    out.push(`weblog_ingest_in_flight ${this.ingestsInFlight}`);
    head('weblog_ingest_queued', 'gauge', 'Ingest requests waiting for the store writer.');
    out.push(`weblog_ingest_queued ${this.ingestsQueued}`);
    head('weblog_ingest_lag_seconds', 'histogram', 'From an ingest request arriving to its lines being committed (queue wait included).');
    this.ingestLag.render('weblog_ingest_lag_seconds', '', out);
    head('weblog_ingest_last_commit_timestamp_seconds', 'gauge', 'Unix time of the last committed ingest (0: none yet).');
    out.push(`weblog_ingest_last_commit_timestamp_seconds ${this.lastIngestAt}`);
    head('weblog_store_operation_seconds', 'histogram', 'Store call latency by operation.');
    for (const [op, h] of [...this.store].sort((a, b) => (a[0] < b[0] ? -1 : 1))) h.render('weblog_store_operation_seconds', `op="${op}"`, out);
    head('weblog_http_requests_total', 'counter', 'HTTP responses by status class.');
    for (const [k, n] of [...this.httpRequests].sort()) out.push(`weblog_http_requests_total{code="${k}"} ${n}`);
    head('weblog_process_uptime_seconds', 'gauge', 'Seconds since the server started.');
    out.push(`weblog_process_uptime_seconds ${(Date.now() - this.started) / 1000}`);
    return `${out.join('\n')}\n`;
  }
}
