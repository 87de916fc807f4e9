/**
 * The ledger (`commits`): which batches count, and where every source stands.
 *
 * A batch writes its data rows, every row tagged with its attempt id, then one `commits` row: the
 * commit point. Queries count the rows of winning attempts only (`committed`), so a batch that
 * failed half-way, or lost a race, adds nothing.
 *
 * Compare-and-set without transactions, as a ledger rule: a batch of a source (a file's content,
 * by fingerprint) that starts at byte `from` claims the *position* (fingerprint, from). Per
 * position the row earliest by the server's clock wins (ties: the smaller attempt id), decided
 * once settle.ts's rule says no earlier row can still appear. A writer checks before it writes
 * that the source stands where its batch starts (else ERR_SOURCE_BUSY at once, nothing written),
 * and after it wrote its commit row waits for the decision: if another writer's row won the same
 * position, its own rows never count and it gets ERR_SOURCE_BUSY. It only ever continues from a
 * position it won, so the winners of a source form one chain of byte ranges, each counted once.
 * The wait (1–2 s) overlaps with reading the next batch; batches without a source (stdin, HTTP
 * bodies) have a position of their own and count at once. docs/clickhouse.md, "Exactly once".
 */
import type { CheckpointMove } from '../../aggregate/index.js';
import { appError } from '../../core/errors.js';
import type { Checkpoint } from '../store.js';
import { withRetry } from './connection.js';
import { num, type Deployment } from './deployment.js';
import type { Interrupt } from './interrupt.js';
import { RowBinaryWriter, u64Bytes } from './row-binary.js';
import { settledAfter, waitMs } from './settle.js';
import { raw, sql, str, u64, type Sql } from './sql.js';

/** The position a batch claims: its own fingerprint and where it starts; a unique one without a source. */
export function positionOf(cp: CheckpointMove | null, attempt: string): string {
  return cp === null ? `a:${attempt}` : `${cp.fpLength}:${cp.fpHash}:${cp.from?.offset ?? 0}`;
}

/** How long a commit row written but not visible (a replica far behind) is waited for. */
const LOST_ROW_MS = 120_000;

const COMMIT_COLUMNS = ['attempt', 'pos', 'cp', 'fp_len', 'fp_hash', 'dev', 'ino', 'from_offset', 'offset', 'lines'] as const;

export class Ledger {
  constructor(
    readonly dep: Deployment,
    readonly settle: number,
    readonly interrupt: Interrupt,
  ) {}

  /**
   * The winning attempt of every position whose decision is final (or that needs none), as a
   * subquery. `unsettled`: also positions still being decided, by what is visible now (the
   * optimistic view a writer checks before it writes).
   */
  winners(unsettled = false): Sql {
    const d = this.dep;
    const settled = unsettled ? raw('') : sql` WHERE c = 0 OR e + ${u64(settledAfter(this.settle))} <= toUInt32(now())`;
    return sql`SELECT w FROM (SELECT argMin(attempt, tuple(created, attempt)) AS w, toUInt32(min(created)) AS e, max(cp) AS c
      FROM ${d.t('commits')} GROUP BY pos)${settled}`;
  }

  /** `<column> IN (winners)`: the filter every query of data rows carries. */
  committed(column = 'attempt'): Sql {
    return sql`${raw(column)} ${this.dep.in} (${this.winners()})`;
  }

  /** Where the source of `cp` stands now: under the fingerprint it resumed by, and under its own. */
  async standing(cp: CheckpointMove): Promise<number> {
    const d = this.dep;
    const fp = (len: number, hash: string): Sql => sql`(fp_len = ${u64(len)} AND fp_hash = ${str(hash)})`;
    const which = cp.from === null || (cp.from.fpLength === cp.fpLength && cp.from.fpHash === cp.fpHash) ? fp(cp.fpLength, cp.fpHash) : sql`(${fp(cp.fpLength, cp.fpHash)} OR ${fp(cp.from.fpLength, cp.from.fpHash)})`;
    const [r] = await this.#rows<{ o: string }>(
      sql`SELECT max(offset) AS o FROM ${d.t('commits')} WHERE cp = 1 AND ${which} AND attempt ${d.in} (
        SELECT argMin(attempt, tuple(created, attempt)) FROM ${d.t('commits')} WHERE cp = 1 AND ${which} GROUP BY pos)`,
      'the source position',
    );
    return num(r?.o ?? 0);
  }

  /** Write the commit row of `attempt` (retried: a duplicate of the same attempt is harmless). */
  async write(attempt: string, batchLines: number, cp: CheckpointMove | null): Promise<void> {
    const w = new RowBinaryWriter(256);
    w.raw(u64Bytes(attempt));
    w.string(positionOf(cp, attempt));
    w.u8(cp === null ? 0 : 1);
    w.u32(cp?.fpLength ?? 0);
    w.string(cp?.fpHash ?? '');
    w.f64(cp?.dev ?? 0);
    w.f64(cp?.ino ?? 0);
    w.u64(cp?.from?.offset ?? 0);
    w.u64(cp?.offset ?? 0);
    w.u64(cp?.lines ?? batchLines);
    const body = Buffer.from(w.bytes());
    const d = this.dep;
    await this.interrupt.guard(
      withRetry(() => d.main.insertRowBinary(d.tableName('commits'), COMMIT_COLUMNS, body, d.clustered ? { insert_distributed_sync: 1 } : {}), () => this.interrupt.expired),
      'the commit row',
    );
  }

  /** Waits until the position of `cp` is decided; true when `attempt` won it. */
  async won(cp: CheckpointMove, attempt: string): Promise<boolean> {
    const d = this.dep;
    const pos = positionOf(cp, attempt);
    const t0 = Date.now();
    for (;;) {
      const [r] = await this.#rows<{ w: string; e: string; n: string; k: string }>(
        sql`SELECT toString(argMin(attempt, tuple(created, attempt))) AS w, toUInt32(min(created)) AS e, toUInt32(now()) AS n, count() AS k
          FROM ${d.t('commits')} WHERE pos = ${str(pos)}`,
        'the source position',
      );
      // Our own row is there (the insert returned): an empty answer is a replica lagging behind.
      const missing = r === undefined || num(r.k) === 0;
      if (missing && Date.now() - t0 > LOST_ROW_MS) throw appError('ERR_STORE_WRITE', `the commit row of position ${pos} is not visible ${LOST_ROW_MS / 1000} s after its insert`);
      const wait = missing ? 500 : waitMs(num(r.e), num(r.n), this.settle);
      if (wait === 0) return r!.w === attempt;
      await this.interrupt.sleep(wait, 'the source position');
    }
  }

  /** Where every source stands (winning, decided rows), longest fingerprint first. */
  async checkpoints(): Promise<Checkpoint[]> {
    const d = this.dep;
    const rows = await this.#rows<{ fp_len: string; fp_hash: string; dev: number; ino: number; o: string; lines: string }>(
      sql`SELECT fp_len, fp_hash, argMax(dev, offset) AS dev, argMax(ino, offset) AS ino, max(offset) AS o, argMax(lines, offset) AS lines,
        max(created) AS c FROM ${d.t('commits')} WHERE cp = 1 AND ${this.committed()} GROUP BY fp_len, fp_hash ORDER BY fp_len DESC, c DESC`,
      'the checkpoints',
    );
    return rows.map((r) => ({ fpLength: num(r.fp_len), fpHash: r.fp_hash, dev: num(r.dev), ino: num(r.ino), offset: num(r.o), lines: num(r.lines) }));
  }

  /** ERR_SOURCE_BUSY for a batch that expected its source at `expected`. */
  async busy(cp: CheckpointMove): Promise<never> {
    throw appError('ERR_SOURCE_BUSY', await this.standing(cp), cp.from?.offset ?? 0);
  }

  #rows<T>(q: Sql, what: string): Promise<T[]> {
    return this.interrupt.guard(
      withRetry(() => this.dep.main.rows<T>(q), () => this.interrupt.expired),
      what,
    );
  }
}
