/**
 * The ClickHouse KeyRing: the epoch secrets of anonymise/keyring.ts (one per day and raw-window
 * length; each site's key is derived from it), shared by every writer of a store, so that one
 * visitor seen by several ingest hosts gets one visitor id and one pseudonym.
 *
 * Agreement without compare-and-set (settle.ts): a writer that needs the secret of an epoch nobody
 * created yet inserts a random candidate; per epoch the candidate earliest by server clock wins
 * (ties: the smaller secret), final once the server clock has passed earliest + settle + 2 s. So a
 * new epoch costs one wait of 1–2 s per process, whatever the number of sites (issue 17: it used
 * to be one wait per site and day). The wait is paid at the end of a batch (`keysFor` is batched
 * and asynchronous, never on the line path), and mostly not at all: every agreement also creates
 * candidates for the next days (`AHEAD`), which settle while those days' lines are still coming.
 *
 * The secrets live in their own database (`<db>_keys` on the store's node, or `--keys URL`),
 * never in the data database: a copy of the data links nothing (docs/clickhouse.md, Keys).
 */
import { randomBytes } from 'node:crypto';
import { deriveSiteKey, destroyedByWindow, genOf, isExpired, type DestroyedSecrets, type KeyRequest, type KeyRing, type KeyStatus, type SiteDayKey } from '../../anonymise/index.js';
import { AppError } from '../../core/errors.js';
import { addDays } from '../../core/dates.js';
import { ChNode, parseClickHouseUrl, withRetry } from './connection.js';
import { num } from './deployment.js';
import { Interrupt, NO_INTERRUPT } from './interrupt.js';
import { KEY_TABLE, OLD_KEY_TABLE, createTable } from './migrations.js';
import { RowBinaryWriter } from './row-binary.js';
import { settleSeconds, waitMs } from './settle.js';
import { ident, sql, str, u64, type Sql } from './sql.js';

/** Days after the newest one asked for (and after today) whose candidates are created ahead. */
const AHEAD = 2;
/** An agreement that has not settled after this long (candidates keep vanishing) is an error. */
const AGREE_LIMIT_MS = 120_000;

export interface ClickHouseKeyRingOptions {
  /** The database of the keys; default `<db>_keys` of the URL's database. */
  readonly database?: string;
  readonly signal?: AbortSignal;
}

interface Secret {
  readonly secret: Buffer;
  readonly gen: string;
}

const epochId = (day: string, w: number): string => `${day}\u0000${w}`;

/** The winner of one epoch's candidates, or null while a later-visible candidate could still win. */
export function decide(cands: readonly { secret: string; c: number }[], now: number, settle: number): string | null {
  if (cands.length === 0) return null;
  let best = cands[0]!;
  for (const x of cands) if (x.c < best.c || (x.c === best.c && x.secret < best.secret)) best = x;
  return waitMs(best.c, now, settle) === 0 ? best.secret : null;
}

export async function openClickHouseKeyRing(location: string, opts: ClickHouseKeyRingOptions = {}): Promise<KeyRing> {
  const target = parseClickHouseUrl(location);
  const db = opts.database ?? `${target.database}_keys`;
  const node = new ChNode(target.url, target, undefined);
  const interrupt = opts.signal ? new Interrupt(opts.signal) : NO_INTERRUPT;
  if (opts.signal) node.abortSignal = interrupt.abortSignal;
  const settle = settleSeconds();
  const table = sql`${ident(db)}.${ident(KEY_TABLE.name)}`;
  try {
    await withRetry(() => node.detect());
    await node.exec(`CREATE DATABASE IF NOT EXISTS ${db}`);
    for (const s of createTable(KEY_TABLE, { database: db, cluster: null, onCluster: false })) await node.exec(s);
    // Keys of the per-site-day scheme (before epoch secrets): their ids cannot be joined with new
    // ones anyway, so they are destroyed at once rather than kept until their window ends.
    await node.exec(sql`DROP TABLE IF EXISTS ${ident(db)}.${ident(OLD_KEY_TABLE)}`);
  } catch (e) {
    await node.close();
    throw new AppError('ERR_STORE_OPEN', [`${target.location} (keys in ${db})`, (e as Error).message], { cause: e });
  }

  const stored = new Map<string, Secret>();
  const processOnly = new Map<string, Secret>();
  const derived = new Map<string, SiteDayKey>();
  /** Epochs with a candidate this process has seen or written (no second insert). */
  const candidates = new Set<string>();

  const stop = (): boolean => interrupt.expired;
  const rows = <T>(q: Sql): Promise<T[]> => interrupt.guard(withRetry(() => node.rows<T>(q), stop), 'the key ring');
  const epochsIn = (epochs: readonly [string, number][]): Sql =>
    epochs.map(([d, w]) => sql`(day = ${str(d)} AND window_days = ${u64(w)})`).reduce((a, b) => sql`${a} OR ${b}`);

  /** Candidates of `epochs`: the decided ones go to `stored`; returns how long the rest must wait. */
  const look = async (epochs: readonly [string, number][]): Promise<{ undecided: [string, number][]; waitMs: number; seen: Set<string> }> => {
    const found = await rows<{ day: string; w: string; s: string; e: string; n: string }>(
      sql`SELECT day, window_days AS w, argMin(secret, tuple(created, secret)) AS s, toUInt32(min(created)) AS e, toUInt32(now()) AS n
        FROM ${table} WHERE ${epochsIn(epochs)} GROUP BY day, window_days`,
    );
    const seen = new Set<string>();
    let wait = 0;
    const undecided: [string, number][] = [];
    for (const r of found) {
      const id = epochId(r.day, num(r.w));
      seen.add(id);
      candidates.add(id);
      const ms = waitMs(num(r.e), num(r.n), settle);
      if (ms === 0) {
        if (!stored.has(id)) {
          const secret = Buffer.from(r.s, 'hex');
          stored.set(id, { secret, gen: genOf(secret) });
        }
      } else {
        undecided.push([r.day, num(r.w)]);
        wait = Math.max(wait, ms);
      }
    }
    return { undecided, waitMs: wait, seen };
  };

  const insertCandidates = async (epochs: readonly [string, number][]): Promise<void> => {
    if (epochs.length === 0) return;
    const w = new RowBinaryWriter(epochs.length * 100);
    for (const [d, win] of epochs) {
      w.string(d);
      w.u16(win);
      w.string(randomBytes(32).toString('hex'));
    }
    await interrupt.guard(
      withRetry(() => node.insertRowBinary(`${db}.${KEY_TABLE.name}`, ['day', 'window_days', 'secret'], w.bytes()), stop),
      'the key ring',
    );
    for (const [d, win] of epochs) candidates.add(epochId(d, win));
  };

  /**
   * Agrees on the secrets of `need` (creating candidates where none exist) and starts the
   * agreement of `ahead` (candidates only, nobody waits for them now).
   */
  const agree = async (need: [string, number][], ahead: [string, number][]): Promise<void> => {
    let pending = need;
    const first = await look([...need, ...ahead]);
    const missing = [...need, ...ahead].filter(([d, w]) => !first.seen.has(epochId(d, w)) && !candidates.has(epochId(d, w)));
    await insertCandidates(missing);
    pending = need.filter(([d, w]) => !stored.has(epochId(d, w)));
    let wait = missing.some(([d, w]) => need.some(([x, y]) => x === d && y === w)) ? 1000 : first.waitMs;
    const t0 = Date.now();
    while (pending.length > 0) {
      if (Date.now() - t0 > AGREE_LIMIT_MS) throw new Error(`no decided secret for ${pending.map(([d, w]) => `${d}/${w}`).join(', ')} after ${AGREE_LIMIT_MS / 1000} s`);
      await interrupt.sleep(Math.max(wait, 50), 'the key ring');
      const r = await look(pending);
      // Our own candidates are visible once their insert returned; a missing one was lost (a
      // failover between insert and read): create it again.
      const lost = pending.filter(([d, w]) => !r.seen.has(epochId(d, w)));
      if (lost.length > 0) {
        for (const [d, w] of lost) candidates.delete(epochId(d, w));
        await insertCandidates(lost);
      }
      pending = pending.filter(([d, w]) => !stored.has(epochId(d, w)));
      wait = lost.length > 0 ? 1000 : r.waitMs;
    }
  };

  const processSecret = (day: string, w: number): Secret => {
    const id = epochId(day, w);
    let s = processOnly.get(id);
    if (s === undefined) {
      const secret = randomBytes(32);
      s = { secret, gen: `p:${genOf(secret)}` };
      processOnly.set(id, s);
    }
    return s;
  };

  return {
    async keysFor(reqs: readonly KeyRequest[], today: string): Promise<SiteDayKey[]> {
      const need = new Map<string, [string, number]>();
      const expiredLookups = new Map<string, [string, number]>();
      let newest = '';
      for (const r of reqs) {
        const id = epochId(r.day, r.windowDays);
        if (stored.has(id) || processOnly.has(id)) continue;
        if (isExpired(r.day, r.windowDays, today)) expiredLookups.set(id, [r.day, r.windowDays]);
        else {
          need.set(id, [r.day, r.windowDays]);
          if (r.day > newest) newest = r.day;
        }
      }
      try {
        if (need.size > 0) {
          const windows = new Set([...need.values()].map(([, w]) => w));
          const ahead: [string, number][] = [];
          // The days after the newest one asked for (an import goes on in day order), and today
          // with the days after it (a followed log's next lines).
          const days = new Set<string>();
          for (let i = 0; i <= AHEAD; i++) {
            if (i > 0) days.add(addDays(newest, i));
            days.add(addDays(today, i));
          }
          for (const w of windows) {
            for (const d of days) {
              const id = epochId(d, w);
              if (!need.has(id) && !stored.has(id) && !candidates.has(id) && !isExpired(d, w, today)) ahead.push([d, w]);
            }
          }
          await agree([...need.values()], ahead);
        }
        // An expired day uses its stored secret while the purge has not destroyed it yet (data of
        // earlier runs was made with it), and never stores a new one.
        if (expiredLookups.size > 0) await look([...expiredLookups.values()]);
      } catch (e) {
        if (e instanceof AppError) throw e;
        throw new AppError('ERR_STORE_READ', [`keys at ${target.location} (${db}): ${(e as Error).message}`], { cause: e });
      }
      return reqs.map((r) => {
        const id = `${r.site}\u0000${r.day}\u0000${r.windowDays}`;
        let k = derived.get(id);
        if (k === undefined) {
          const s = stored.get(epochId(r.day, r.windowDays)) ?? processSecret(r.day, r.windowDays);
          k = { key: deriveSiteKey(s.secret, r.site), gen: s.gen };
          if (derived.size > 200_000) derived.clear();
          derived.set(id, k);
        }
        return k;
      });
    },

    async destroyExpired(today: string): Promise<DestroyedSecrets[]> {
      const all = await rows<{ day: string; w: string }>(sql`SELECT DISTINCT day, window_days AS w FROM ${table}`);
      const doomed = all.filter((r) => isExpired(r.day, num(r.w), today)).map((r): [string, number] => [r.day, num(r.w)]);
      if (doomed.length > 0) {
        // A mutation rewrites the parts without the rows (ClickHouse removes the old parts after
        // old_parts_lifetime); waited for, so that `alive` already counts without them.
        for (let i = 0; i < doomed.length; i += 200) {
          await node.exec(sql`ALTER TABLE ${table} DELETE WHERE ${epochsIn(doomed.slice(i, i + 200))}`);
        }
        for (;;) {
          const [m] = await rows<{ n: string }>(sql`SELECT count() AS n FROM system.mutations WHERE database = ${str(db)} AND is_done = 0`);
          if (num(m?.n) === 0) break;
          await interrupt.sleep(50, 'the key ring');
        }
      }
      for (const [d, w] of doomed) {
        const id = epochId(d, w);
        stored.get(id)?.secret.fill(0);
        stored.delete(id);
        candidates.delete(id);
      }
      const gone = doomed.map(([day, windowDays]) => ({ day, windowDays }));
      for (const [id, sec] of [...processOnly]) {
        const [d, w] = id.split('\u0000') as [string, string];
        if (!isExpired(d, Number(w), today)) continue;
        sec.secret.fill(0);
        processOnly.delete(id);
        if (!doomed.some(([dd, ww]) => dd === d && ww === Number(w))) gone.push({ day: d, windowDays: Number(w) });
      }
      for (const id of [...derived.keys()]) {
        const [, d, w] = id.split('\u0000') as [string, string, string];
        if (isExpired(d, Number(w), today)) derived.delete(id);
      }
      return destroyedByWindow(gone, today);
    },

    async alive(): Promise<KeyStatus[]> {
      const r = await rows<{ w: string; days: string; oldest: string }>(
        sql`SELECT window_days AS w, uniqExact(day) AS days, min(day) AS oldest FROM ${table} GROUP BY window_days ORDER BY window_days`,
      );
      return r.map((x) => ({ windowDays: num(x.w), days: num(x.days), oldest: x.oldest }));
    },

    async close(): Promise<void> {
      for (const s of [...stored.values(), ...processOnly.values()]) s.secret.fill(0);
      stored.clear();
      processOnly.clear();
      derived.clear();
      interrupt.close();
      await node.close();
    },
  };
}

