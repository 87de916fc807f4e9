/**
 * A ClickHouse deployment as the store sees it: the node queries go to, the nodes DDL goes to,
 * table naming (plain, or `_local` + Distributed on a cluster), migrations, and attempt ids.
 */
import { randomInt } from 'node:crypto';
import { AppError, appError } from '../../core/errors.js';
import { ChNode, parseClickHouseUrl, withRetry, type ChTarget, type Features } from './connection.js';
import { CH_MIGRATIONS, CH_SCHEMA_VERSION, MIGRATION_TABLE, columnTypes, createTable, type DdlContext } from './migrations.js';
import { ident, raw, sql, str, type Sql } from './sql.js';
import { dropReplaced, upgradeToV3 } from './upgrade.js';

const PROC_ID = BigInt(randomInt(1 << 14));
let lastMs = 0n;
let seq = 0n;

/**
 * Commit attempt ids: milliseconds << 22 | process id (14 bits) << 8 | sequence. Time ordered, so
 * attempt order is commit order for one writer (site meta folds in that order).
 */
export function nextAttemptId(): string {
  let ms = BigInt(Date.now());
  if (ms <= lastMs) {
    seq++;
    if (seq > 255n) {
      lastMs++;
      seq = 0n;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    seq = 0n;
  }
  return ((ms << 22n) | (PROC_ID << 8n) | seq).toString();
}

export const num = (v: unknown): number => Number(v);

export function chDateTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** The deployment: the node queries go to, the nodes DDL goes to, and table naming. */
export class Deployment {
  readonly main: ChNode;
  readonly ddlNodes: ChNode[];
  readonly db: string;
  readonly clustered: boolean;
  /** `GLOBAL IN` on a cluster: a subquery over Distributed tables runs once, on the initiator. */
  readonly in: Sql;
  readonly notIn: Sql;

  constructor(readonly target: ChTarget) {
    this.db = target.database;
    this.clustered = target.cluster !== null;
    this.main = new ChNode(target.url, target, undefined);
    this.ddlNodes = target.nodes.length > 0 ? target.nodes.map((u) => new ChNode(u, target, undefined)) : [this.main];
    this.in = raw(this.clustered ? 'GLOBAL IN' : 'IN');
    this.notIn = raw(this.clustered ? 'GLOBAL NOT IN' : 'NOT IN');
  }

  get features(): Features {
    return this.main.features;
  }

  /** Read/insert name: the Distributed table on a cluster. */
  t(name: string): Sql {
    return sql`${ident(this.db)}.${ident(name)}`;
  }

  tableName(name: string): string {
    return `${this.db}.${name}`;
  }

  /** The table that holds the rows on a node (mutations and partition drops go there). */
  local(name: string): Sql {
    return sql`${ident(this.db)}.${ident(this.clustered ? `${name}_local` : name)}`;
  }

  get ddl(): DdlContext {
    return { database: this.db, cluster: this.target.cluster, onCluster: this.clustered && this.target.nodes.length === 0 };
  }

  get onCluster(): Sql {
    return this.ddl.onCluster ? sql` ON CLUSTER ${ident(this.target.cluster!)}` : raw('');
  }

  /** The nodes a mutation or partition drop is sent to (one with ON CLUSTER, else every listed node). */
  get mutationNodes(): ChNode[] {
    return this.ddl.onCluster ? [this.main] : this.ddlNodes;
  }

  /** Settings of every data insert. */
  insertSettings(): Record<string, string | number> {
    return {
      ...(this.clustered ? { insert_distributed_sync: 1 } : {}),
      // A batch of an old archive can touch more day partitions than the default 100.
      ...(this.features.compactSchema ? { max_partitions_per_insert_block: 0 } : {}),
    };
  }

  async connect(): Promise<void> {
    try {
      await withRetry(() => this.main.detect());
      for (const n of this.ddlNodes) if (n !== this.main) await withRetry(() => n.detect());
    } catch (e) {
      throw new AppError('ERR_STORE_OPEN', [this.target.location, (e as Error).message], { cause: e });
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.main, ...this.ddlNodes.filter((n) => n !== this.main)].map((n) => n.close()));
  }

  /** Wait until every mutation of `db` has finished on every node (18.16 has no mutations_sync). */
  async awaitMutations(db: string, timeoutMs = 300_000): Promise<void> {
    const t0 = Date.now();
    for (const n of this.ddlNodes) {
      for (;;) {
        const [r] = await n.rows<{ n: string }>(sql`SELECT count() AS n FROM system.mutations WHERE database = ${str(db)} AND is_done = 0`);
        if (num(r?.n) === 0) break;
        if (Date.now() - t0 > timeoutMs) throw new Error(`mutations in ${db} still running after ${timeoutMs} ms`);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  }
}

/** The version each DDL node has recorded (0: no schema yet). */
async function nodeVersion(n: ChNode, db: string): Promise<number> {
  const [t] = await n.rows<{ n: string }>(sql`SELECT count() AS n FROM system.tables WHERE database = ${str(db)} AND name = 'schema_migration'`);
  if (num(t?.n) === 0) return 0;
  const [row] = await n.rows<{ v: string }>(`SELECT max(version) AS v FROM ${db}.schema_migration`);
  return num(row?.v ?? 0);
}

/** The column types new tables get (WEBLOG_CH_PLAIN_SCHEMA=1: 18.16's, for size comparisons). */
function typesFor(f: Features) {
  return columnTypes(process.env.WEBLOG_CH_PLAIN_SCHEMA === '1' ? { ...f, compactSchema: false } : f);
}

export interface MigrateOptions {
  /** Convert a store of versions 1–2 (only `weblog store migrate` does: it copies data). */
  readonly upgrade: boolean;
}

/**
 * Apply missing migrations on every DDL node; returns the version before and after. A fresh store
 * gets the newest layout at once. A store of the layout before engine v2 (versions 1–2) is
 * converted only when `upgrade` is set (upgrade.ts), since that copies its data.
 */
export async function migrateDeployment(dep: Deployment, opts: MigrateOptions = { upgrade: false }): Promise<{ from: number; to: number }> {
  let from = Number.MAX_SAFE_INTEGER;
  const ctx = dep.ddl;
  const plain: DdlContext = { ...ctx, cluster: null, onCluster: false };
  const onDb = ctx.onCluster ? ` ON CLUSTER ${ctx.cluster}` : '';
  const nodes = ctx.onCluster ? [dep.main] : dep.ddlNodes;
  for (const n of nodes) from = Math.min(from, await nodeVersion(n, dep.db));
  if (from > CH_SCHEMA_VERSION) throw appError('ERR_STORE_SCHEMA_NEWER', from, CH_SCHEMA_VERSION);
  if (from > 0 && from < 3 && !opts.upgrade) {
    throw appError('ERR_STORE_OPEN', dep.target.location, `schema version ${from} predates engine v2: run \`weblog store migrate --store URL\` once, with no ingest running (it converts the data)`);
  }
  const pending = new Map<ChNode, number>();
  for (const n of nodes) {
    await n.exec(`CREATE DATABASE IF NOT EXISTS ${dep.db}${onDb}`);
    for (const s of createTable(MIGRATION_TABLE, plain)) await n.exec(s);
    const current = await nodeVersion(n, dep.db);
    pending.set(n, current);
    const types = typesFor(n.features);
    for (const m of CH_MIGRATIONS) {
      // A fresh node gets the newest layout only.
      if (m.version <= current || (current === 0 && m.version < CH_SCHEMA_VERSION)) continue;
      for (const t of m.tables(types)) for (const s of createTable(t, ctx)) await n.exec(s);
    }
  }
  // Data of the old layout is copied once, through the Distributed tables, before any node says 3.
  if (from > 0 && from < 3) await upgradeToV3(dep);
  for (const n of nodes) {
    const current = pending.get(n)!;
    // One insert, so that a writer opening the store at the same moment sees none or all of them
    // (seeing version 1 of a fresh store would make it refuse the store as pre-engine-v2).
    const rows = CH_MIGRATIONS.filter((m) => m.version > current).map((m) => ({ version: m.version, name: m.name, applied_at: chDateTime(new Date()) }));
    await n.insert(`${dep.db}.schema_migration`, rows);
  }
  if (from > 0 && from < 3) await dropReplaced(dep);
  return { from, to: CH_SCHEMA_VERSION };
}

export async function schemaVersion(dep: Deployment): Promise<number> {
  return nodeVersion(dep.main, dep.db);
}

export async function openDeployment(location: string): Promise<Deployment> {
  const dep = new Deployment(parseClickHouseUrl(location));
  await dep.connect();
  return dep;
}
