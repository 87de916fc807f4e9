/**
 * A site's report from the ClickHouse store, with exactly the SQLite store's semantics
 * (sqlite-store.ts `query`): every count summed over the committed rows of the range, visits
 * joined across batches (visit-sql.ts), entry and exit pages from the joined visits (and the
 * frozen lists of closed days), `minHits` before `top`, slowPages ranked by total time, ties by
 * key in byte order (= code point order), `sums` over every key, days with visitor data under more
 * than one key generation listed as undeduplicated. One round of queries in parallel (two when
 * the range must first be found); the answer is what the parity tests compare byte for byte.
 */
import { mergeSiteMeta, type SiteMeta } from '../../aggregate/index.js';
import { ipPoliciesFromJson, legacyPolicies, userPoliciesFromJson } from '../../core/policy.js';
import { AppError } from '../../core/errors.js';
import { LIST_IDS, LIST_NAMES, type ListName } from '../../core/lists.js';
import { compareKeys } from '../sqlite/sqlite-store.js';
import { HOUR_KEYS, rowsOf, type Counter, type ReportQuery, type StoredDay, type StoredReport, type StoredRow } from '../store.js';
import { withRetry } from './connection.js';
import { num, type Deployment } from './deployment.js';
import type { Ledger } from './ledger.js';
import { date, raw, sql, str, u64, type Sql } from './sql.js';
import { visitRows } from './visit-sql.js';

const ENTRY = LIST_IDS.entryPages;
const EXIT = LIST_IDS.exitPages;
const SLOW = LIST_IDS.slowPages;
const NAME_OF = new Map<number, ListName>(LIST_NAMES.map((n) => [LIST_IDS[n], n]));

export interface ReportContext {
  readonly dep: Deployment;
  readonly ledger: Ledger;
  readonly timeoutSec: number;
}

type Row = Record<string, string>;

async function read<T = Row>(ctx: ReportContext, q: Sql): Promise<T[]> {
  try {
    return await withRetry(() => ctx.dep.main.rows<T>(q));
  } catch (e) {
    throw new AppError('ERR_STORE_READ', [(e as Error).message], { cause: e });
  }
}

/** Site meta in commit order, folded exactly like the SQLite store's #writeMeta. */
export interface MetaRow {
  ip_policy: string;
  user_policy: string;
  attribution: readonly string[];
  raw_window_days: number | string;
}

export function foldMeta(rows: readonly MetaRow[]): SiteMeta {
  let meta: SiteMeta | null = null;
  for (const r of rows) {
    // Policies are JSON lists (core/policy.ts); rows of schema 1-2 stores hold the old sentences.
    const p = r.ip_policy.startsWith('[') ? { ip: ipPoliciesFromJson(r.ip_policy), user: userPoliciesFromJson(r.user_policy) } : legacyPolicies(r.ip_policy, r.user_policy);
    meta = mergeSiteMeta(meta, { ...p, attribution: r.attribution, rawWindowDays: num(r.raw_window_days) });
  }
  return meta ?? { ip: [], user: [], attribution: [], rawWindowDays: 0 };
}

export async function queryReport(ctx: ReportContext, q: ReportQuery): Promise<StoredReport | null> {
  const { dep: d, ledger } = ctx;
  const site = str(q.site);
  const w = ledger.committed();
  const probe = sql`SELECT toString(min(day)) AS lo, toString(max(day)) AS hi, count() AS n,
      (SELECT count() FROM ${d.t('site_meta')} WHERE site = ${site} AND ${w}) + (SELECT count() FROM ${d.t('site_contract')} WHERE site = ${site}) AS known
    FROM ${d.t('site_day')} WHERE site = ${site} AND ${w}`;
  // With both bounds given, the probe runs alongside the rest.
  const today = new Date().toISOString().slice(0, 10);
  let range: Row | undefined;
  if (q.from === null || q.to === null) [range] = await read(ctx, probe);
  const has = (r: Row | undefined): boolean => r !== undefined && (num(r.n) > 0 || num(r.known) > 0);
  if (range !== undefined && !has(range)) return null;
  const withData = range !== undefined && num(range.n) > 0;
  const lo = q.from ?? (withData ? range!.lo! : (q.to ?? today));
  const hi = q.to ?? (withData ? range!.hi! : (q.from ?? today));
  const inRange = sql`site = ${site} AND day BETWEEN ${date(lo)} AND ${date(hi)}`;
  const visits = visitRows(d, ledger, inRange, ctx.timeoutSec);
  const min = (name: ListName): number => q.minHits?.[name] ?? 0;
  const floors = LIST_NAMES.filter((n) => min(n) > 1);
  const having = floors.length === 0 ? raw('') : sql` HAVING h >= multiIf(${floors.map((n) => sql`list = ${u64(LIST_IDS[n])}, ${u64(min(n))}, `).reduce((a, b) => sql`${a}${b}`)}0)`;
  // One LIMIT for every list: at least the keys `hours` can have, which it always gets whole (rowsOf).
  const limitBy = q.top > 0 ? sql` LIMIT ${u64(Math.max(q.top, HOUR_KEYS))} BY list` : raw('');
  const [probed, days, perGen, closed, closedPages, tops, sums, others, rejected, metas] = await Promise.all([
    range !== undefined ? Promise.resolve([range]) : read(ctx, probe),
    read(
      ctx,
      sql`SELECT toString(day) AS d, sum(hits) AS hits, sum(pages) AS pages, sum(bytes) AS bytes, sum(bots) AS bots,
        sum(ftp_transfers) AS ftp_transfers, sum(ftp_bytes) AS ftp_bytes FROM ${d.t('site_day')} WHERE ${inRange} AND ${w} GROUP BY day ORDER BY day`,
    ),
    // One pass over the joined visits: per day and key generation the counts (list 0), and the
    // visits per entry and per exit page (lists 17, 18) of visits with a page view.
    read(
      ctx,
      sql`SELECT list, toString(tday) AS d, tgen AS gen, key, uniqExact(visitor) AS visitors, count() AS visits, countIf(pages = 1) AS bounces,
          sum(vl - vf) AS secs, countIf(pages > 0) AS pv
        FROM (
          SELECT tupleElement(t, 1) AS list, tupleElement(t, 2) AS tday, tupleElement(t, 3) AS tgen, tupleElement(t, 4) AS key, visitor, pages, vl, vf
          FROM (${visits})
          ARRAY JOIN [tuple(toUInt8(0), day, toString(gen), ''), tuple(toUInt8(${u64(ENTRY)}), toDate(0), '', tupleElement(en, 2)),
            tuple(toUInt8(${u64(EXIT)}), toDate(0), '', tupleElement(ex, 2))] AS t
          WHERE tupleElement(t, 1) = 0 OR pages > 0
        ) GROUP BY list, tday, tgen, key`,
    ),
    read(
      ctx,
      sql`SELECT toString(day) AS d, gen, sum(visitors) AS visitors, sum(visits) AS visits, sum(bounces) AS bounces,
        sum(visit_seconds) AS secs, sum(arraySum(entry_n)) AS pv FROM ${d.t('visit_closed')} WHERE ${inRange} AND ${w} GROUP BY day, gen`,
    ),
    read(
      ctx,
      sql`SELECT list, key, sum(c) AS n FROM (
          SELECT tupleElement(e, 1) AS list, tupleElement(e, 2) AS key, tupleElement(e, 3) AS c FROM ${d.t('visit_closed')}
          ARRAY JOIN arrayConcat(arrayMap((k, n) -> tuple(toUInt8(${u64(ENTRY)}), k, n), entries, entry_n), arrayMap((k, n) -> tuple(toUInt8(${u64(EXIT)}), k, n), exits, exit_n)) AS e
          WHERE ${inRange} AND ${w}
        ) GROUP BY list, key`,
    ),
    read(
      ctx,
      sql`SELECT list, key, h, b, ts, tm FROM (
        SELECT list, key, sum(hits) AS h, sum(bytes) AS b, sum(time_sum) AS ts, max(time_max) AS tm
        FROM ${d.t('list_row')} WHERE ${inRange} AND ${w} GROUP BY list, key${having}
      ) ORDER BY list, if(list = ${u64(SLOW)}, ts, h) DESC, key${limitBy}`,
    ),
    read(ctx, sql`SELECT list, sum(hits) AS h, sum(bytes) AS b, uniqExact(key) AS n FROM ${d.t('list_row')} WHERE ${inRange} AND ${w} GROUP BY list`),
    read(ctx, sql`SELECT list, sum(hits) AS h, sum(bytes) AS b FROM ${d.t('list_other')} WHERE ${inRange} AND ${w} GROUP BY list`),
    read(ctx, sql`SELECT reason, sum(lines) AS n FROM ${d.t('rejected')} WHERE site = ${site} AND ${w} GROUP BY reason ORDER BY reason`),
    read<MetaRow>(ctx, sql`SELECT ip_policy, user_policy, attribution, raw_window_days FROM ${d.t('site_meta')} WHERE site = ${site} AND ${w} ORDER BY attempt`),
  ]);
  if (range === undefined && !has(probed[0])) return null;

  // Days: totals, then visitor counts per key generation (open intervals joined, closed rows added).
  const byDay = new Map<string, StoredDay>();
  const outDays: StoredDay[] = days.map((r) => {
    const day: StoredDay = {
      date: r.d!,
      hits: num(r.hits),
      visitors: 0,
      visits: 0,
      pages: num(r.pages),
      bytes: num(r.bytes),
      bots: num(r.bots),
      ftpTransfers: num(r.ftp_transfers),
      ftpBytes: num(r.ftp_bytes),
      bounces: 0,
      visitSeconds: 0,
    };
    byDay.set(day.date, day);
    return day;
  });
  const gens = new Map<string, Set<string>>();
  /** Entry and exit pages: visits per key, open days (joined now) and closed days (kept). */
  const pageLists = new Map<number, Map<string, number>>([
    [ENTRY, new Map()],
    [EXIT, new Map()],
  ]);
  const addPage = (list: number, key: string, n: number): void => {
    const m = pageLists.get(list)!;
    m.set(key, (m.get(key) ?? 0) + n);
  };
  for (const r of [...perGen, ...closed]) {
    if (r.list !== undefined && num(r.list) !== 0) {
      addPage(num(r.list), r.key!, num(r.pv));
      continue;
    }
    const day = byDay.get(r.d!);
    if (day === undefined) continue;
    day.visitors += num(r.visitors);
    day.visits += num(r.visits);
    day.bounces += num(r.bounces);
    day.visitSeconds += num(r.secs);
    if (r.gen !== '') {
      const g = gens.get(r.d!) ?? new Set<string>();
      g.add(r.gen!);
      gens.set(r.d!, g);
    }
  }
  for (const r of closedPages) addPage(num(r.list), r.key!, num(r.n));
  const undeduplicatedDays = outDays.filter((x) => (gens.get(x.date)?.size ?? 0) > 1).map((x) => x.date);

  const top = {} as Record<ListName, StoredRow[]>;
  for (const n of LIST_NAMES) top[n] = [];
  for (const r of tops) {
    const name = NAME_OF.get(num(r.list));
    if (name === undefined) continue;
    top[name].push({
      key: r.key!,
      hits: num(r.h),
      bytes: num(r.b),
      ...(name === 'slowPages' ? { totalMs: num(r.ts) / 1000, maxMs: num(r.tm) / 1000 } : {}),
    });
  }
  for (const [id, m] of pageLists) {
    const name = NAME_OF.get(id)!;
    for (const [key, hits] of m) if (hits >= min(name)) top[name].push({ key, hits, bytes: 0 });
  }
  for (const n of LIST_NAMES) {
    if (n === 'slowPages') top[n].sort((a, b) => b.totalMs! - a.totalMs! || compareKeys(a.key, b.key));
    else top[n].sort((a, b) => b.hits - a.hits || compareKeys(a.key, b.key));
    const rows = rowsOf(n, q.top);
    if (rows > 0 && top[n].length > rows) top[n].length = rows;
  }

  // Sums over every key, in list order (as SQLite gives them).
  const sumOf = new Map<number, { hits: number; bytes: number; n: number }>(sums.map((r) => [num(r.list), { hits: num(r.h), bytes: num(r.b), n: num(r.n) }]));
  for (const [id, m] of pageLists) {
    let hits = 0;
    for (const v of m.values()) hits += v;
    if (m.size > 0) sumOf.set(id, { hits, bytes: 0, n: m.size });
  }
  const outSums: Partial<Record<ListName, Counter>> = {};
  for (const n of LIST_NAMES) {
    const c = sumOf.get(LIST_IDS[n]);
    if (c !== undefined && c.n > 0) outSums[n] = { hits: c.hits, bytes: c.bytes };
  }
  const otherOf = new Map(others.map((r) => [num(r.list), { hits: num(r.h), bytes: num(r.b) }]));
  const outOthers: Partial<Record<ListName, Counter>> = {};
  for (const n of LIST_NAMES) {
    const c = otherOf.get(LIST_IDS[n]);
    if (c !== undefined) outOthers[n] = c;
  }
  const outRejected: Record<string, number> = {};
  for (const r of rejected) outRejected[r.reason!] = num(r.n);
  return {
    site: q.site,
    from: lo,
    to: hi,
    meta: foldMeta(metas),
    days: outDays,
    distinctIps: sumOf.get(LIST_IDS.ips)?.n ?? 0,
    top,
    sums: outSums,
    others: outOthers,
    rejected: outRejected,
    undeduplicatedDays,
  };
}
