/**
 * One ClickHouse deployment as the store sees it: the parsed `clickhouse://` URL, an
 * @clickhouse/client per node, the server version and the features it implies, and retries.
 *
 *   clickhouse://user:pass@host:8123/db                 single server
 *   clickhouse://…/db?cluster=NAME                      sharded: DDL with ON CLUSTER (needs Keeper/ZooKeeper)
 *   clickhouse://…/db?cluster=NAME&nodes=h1:8123,h2:8123  sharded: DDL and deletes run on every listed node
 *   clickhouses://… or ?secure=1                        HTTPS
 */
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { appError } from '../../core/errors.js';
import { sqlIdent } from './escape.js';
import { render, type Sql } from './sql.js';
import { redactUrl } from './url.js';

export interface ChTarget {
  /** http(s)://host:port of the node the store talks to. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly database: string;
  readonly cluster: string | null;
  /** Every node's http(s)://host:port when DDL runs per node (no ON CLUSTER); else []. */
  readonly nodes: readonly string[];
  /** The URL without credentials, for messages. */
  readonly location: string;
}

export { isClickHouseUrl, redactUrl } from './url.js';

export function parseClickHouseUrl(location: string): ChTarget {
  let u: URL;
  try {
    u = new URL(location);
  } catch {
    throw appError('ERR_STORE_URL', redactUrl(location));
  }
  const secure = u.protocol === 'clickhouses:' || u.searchParams.get('secure') === '1';
  const scheme = secure ? 'https' : 'http';
  const port = u.port || (secure ? '8443' : '8123');
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'weblog';
  const cluster = u.searchParams.get('cluster');
  try {
    sqlIdent(database);
    if (cluster !== null) sqlIdent(cluster);
  } catch {
    throw appError('ERR_STORE_URL', `${redactUrl(location)} (database and cluster names: letters, digits, _)`);
  }
  const nodes = (u.searchParams.get('nodes') ?? '')
    .split(',')
    .filter((n) => n !== '')
    .map((n) => (/^https?:\/\//.test(n) ? n : `${scheme}://${n}`));
  return {
    url: `${scheme}://${u.hostname}:${port}`,
    username: decodeURIComponent(u.username) || 'default',
    password: decodeURIComponent(u.password),
    database,
    cluster,
    nodes,
    location: `${secure ? 'clickhouses' : 'clickhouse'}://${u.hostname}:${port}/${database}${cluster ? `?cluster=${cluster}` : ''}`,
  };
}

export interface Features {
  readonly version: string;
  /** `{name:Type}` query parameters (19.15+). */
  readonly queryParams: boolean;
  /** The async_insert setting (21.11+; on by default from 26.2): the store turns it off. */
  readonly asyncInsert: boolean;
  /**
   * LowCardinality and column codecs in new tables, and `max_partitions_per_insert_block` (a
   * batch of an old archive may touch more than the default 100 day partitions): from 20.1.
   */
  readonly compactSchema: boolean;
}

export function featuresOf(version: string): Features {
  const [maj = 0, min = 0] = version.split('.').map(Number);
  const atLeast = (a: number, b: number) => maj > a || (maj === a && min >= b);
  return { version, queryParams: atLeast(19, 15), asyncInsert: atLeast(21, 11), compactSchema: atLeast(20, 1) };
}

/** ClickHouse error codes worth retrying: overload, timeouts, network, too many parts. */
const TRANSIENT_CH = new Set(['159', '160', '164', '202', '209', '210', '236', '241', '252', '999', '425']);
const TRANSIENT_NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export function isTransient(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  if (TRANSIENT_NET.has(code) || TRANSIENT_CH.has(code)) return true;
  const msg = typeof err.message === 'string' ? err.message : '';
  return /socket hang up|Timeout error|ECONNRESET|ECONNREFUSED|other side closed/i.test(msg);
}

/** Delays between attempts (ms). WEBLOG_CH_RETRY_MS="10,10" shortens them for tests. */
function retryDelays(): number[] {
  const env = process.env.WEBLOG_CH_RETRY_MS;
  if (env) return env.split(',').map(Number).filter((n) => Number.isFinite(n) && n >= 0);
  return [200, 1000, 3000, 8000];
}

/** `fn`, retried with backoff on transient errors; never again once `stop` says so (a signal's grace ran out). */
export async function withRetry<T>(fn: () => Promise<T>, stop?: () => boolean): Promise<T> {
  const delays = retryDelays();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= delays.length || !isTransient(e) || stop?.() === true) throw e;
      await new Promise((r) => setTimeout(r, delays[attempt]));
      if (stop?.() === true) throw e;
    }
  }
}

type Row = Record<string, unknown>;

/** One node: a client plus rendering of `sql` templates for that server's features. */
export class ChNode {
  readonly client: ClickHouseClient;
  features: Features = featuresOf('0.0');
  /** Aborts every request of this node (a signal's grace ran out: interrupt.ts). */
  abortSignal: AbortSignal | undefined;

  constructor(
    readonly url: string,
    target: ChTarget,
    database: string | undefined,
  ) {
    this.client = createClient({
      url,
      username: target.username,
      password: target.password,
      ...(database ? { database } : {}),
      // 18.16 answers gzip, but a plain body keeps old proxies and error bodies readable.
      compression: { request: false, response: false },
      application: 'weblog',
      // Failures surface as ERR_STORE_* with the cause; the client's own log would repeat them on stderr.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  async detect(): Promise<Features> {
    const rs = await this.client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    const [row] = (await rs.json()) as { v: string }[];
    this.features = featuresOf(row?.v ?? '0.0');
    return this.features;
  }

  async rows<T = Row>(q: Sql | string): Promise<T[]> {
    const r = render(q, this.features.queryParams);
    const rs = await this.client.query({
      query: r.query,
      format: 'JSONEachRow',
      ...(Object.keys(r.params).length ? { query_params: r.params } : {}),
      ...(this.abortSignal ? { abort_signal: this.abortSignal } : {}),
    });
    return (await rs.json()) as T[];
  }

  async exec(q: Sql | string, settings: Record<string, string | number> = {}): Promise<void> {
    const r = render(q, this.features.queryParams);
    await this.client.command({
      query: r.query,
      ...(Object.keys(r.params).length ? { query_params: r.params } : {}),
      ...(Object.keys(settings).length ? { clickhouse_settings: settings as never } : {}),
      ...(this.abortSignal ? { abort_signal: this.abortSignal } : {}),
    });
  }

  async insert(table: string, values: readonly Row[], settings: Record<string, string | number> = {}): Promise<void> {
    if (values.length === 0) return;
    // A commit is correct only if every insert is written when it returns (data rows before the
    // ledger row). ClickHouse 26.2 made async_insert the default, and a profile with
    // wait_for_async_insert = 0 would acknowledge rows still in a buffer: ask for a plain insert.
    const all = this.features.asyncInsert ? { async_insert: 0, ...settings } : settings;
    await this.client.insert({ table, values: values as Row[], format: 'JSONEachRow', clickhouse_settings: all as never, ...(this.abortSignal ? { abort_signal: this.abortSignal } : {}) });
  }

  /**
   * `INSERT INTO table (columns) FORMAT RowBinary` with `body` (row-binary.ts). The columns are
   * named, so columns left out get their DEFAULT (the commit row's server clock).
   */
  async insertRowBinary(table: string, columns: readonly string[], body: Uint8Array, settings: Record<string, string | number> = {}): Promise<void> {
    if (body.length === 0) return;
    const all = this.features.asyncInsert ? { async_insert: 0, ...settings } : settings;
    const r = await this.client.exec({
      query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT RowBinary`,
      values: Readable.from([Buffer.from(body.buffer, body.byteOffset, body.length)]),
      ...(Object.keys(all).length ? { clickhouse_settings: all as never } : {}),
      ...(this.abortSignal ? { abort_signal: this.abortSignal } : {}),
    });
    // The answer is empty; its stream must still be consumed to free the socket.
    for await (const _ of r.stream) void _;
  }

  /** The server's clock, whole seconds since the epoch (the clock every settle rule uses). */
  async serverNow(): Promise<number> {
    const [r] = await this.rows<{ n: string }>('SELECT toUInt32(now()) AS n');
    return Number(r?.n ?? 0);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
