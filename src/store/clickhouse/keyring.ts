/**
 * A KeyRing in ClickHouse (`<db>_keys.site_day_secret`), so that ingest processes on different
 * machines use the same secret for the same (site, day): otherwise one visitor seen by two
 * writers would count twice. Never in the data database: a copy of the data links nothing.
 *
 * ClickHouse has no compare-and-set, so two writers may each insert a candidate for the same
 * (site, day). The winner is deterministic and stable:
 * - candidates carry the server's clock (`created DEFAULT now()`, whole seconds);
 * - only candidates created within SETTLE seconds of the earliest one are eligible, and the
 *   smallest secret among them wins;
 * - nobody uses a (site, day) key before the server clock has passed earliest + SETTLE + 2 s, so
 *   every eligible candidate is visible to whoever decides, and a later candidate can never
 *   change a decision already made.
 * The wait is paid once per new site-day and process; to pay it rarely, a miss creates
 * candidates in bulk for every known site and the surrounding days, and settled keys are all
 * loaded at open. keyFor is synchronous (the anonymiser calls it on the line path), hence the
 * blocking HTTP of sync-http.ts.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { KeyRing } from '../../anonymise/index.js';
import { AppError } from '../../core/errors.js';
import { parseClickHouseUrl, featuresOf } from './connection.js';
import { KEY_TABLES, createTable } from './migrations.js';
import { render, sql, str, raw, type Sql } from './sql.js';
import { createSyncHttp } from './sync-http.js';

interface Candidate {
  site: string;
  day: string;
  secret: string;
  c: number;
  now: number;
}

/**
 * Seconds (beyond the creator's own second) within which concurrent candidates compete.
 * 0 is enough on one server: a candidate stamped in second S is visible long before the server
 * clock reads S + 2, when the first decision may be made. Raise it (WEBLOG_CH_KEY_SETTLE_S) when
 * inserts can take seconds to become visible (overloaded servers, async replication).
 */
function settleSeconds(): number {
  const v = Number(process.env.WEBLOG_CH_KEY_SETTLE_S ?? 0);
  return Number.isFinite(v) && v >= 0 ? v : 0;
}

/**
 * Days around `day` whose keys are created together with it: logs arrive in day order, so one
 * wait covers the next month of every known site (future keys are random, not derived: harmless).
 */
function windowDays(day: string): string[] {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t)) return [day];
  const out: string[] = [];
  for (let i = -1; i <= 30; i++) out.push(new Date(t + i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

/** The winner among one (site, day)'s candidates, or null while it may still change. */
export function decide(cands: readonly { secret: string; c: number }[], now: number, settle: number): string | null {
  if (cands.length === 0) return null;
  let earliest = Infinity;
  for (const x of cands) earliest = Math.min(earliest, x.c);
  if (now < earliest + settle + 2) return null;
  let best: string | null = null;
  for (const x of cands) if (x.c <= earliest + settle && (best === null || x.secret < best)) best = x.secret;
  return best;
}

export async function openClickHouseKeyRing(location: string): Promise<KeyRing> {
  const target = parseClickHouseUrl(location);
  const db = `${target.database}_keys`;
  const http = createSyncHttp(`${target.url}/`, target.username, target.password);
  const settle = settleSeconds();
  let bind = false;
  const q = (query: Sql | string, body?: string): string => {
    const r = render(query, bind);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.params)) params[`param_${k}`] = v;
    if (body === undefined) return http.post(r.query, params);
    return http.post(body, { ...params, query: r.query });
  };
  const rows = <T>(query: Sql): T[] =>
    q(sql`${query} FORMAT JSONEachRow`)
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as T);
  const table = raw(`${db}.site_day_secret`);
  try {
    bind = featuresOf(q('SELECT version()').trim()).queryParams;
    q(`CREATE DATABASE IF NOT EXISTS ${db}`);
    for (const t of KEY_TABLES) for (const s of createTable(t, { database: db, cluster: null, onCluster: false })) q(s);
  } catch (e) {
    http.close();
    throw new AppError('ERR_STORE_OPEN', [`${target.location} (keys)`, (e as Error).message], { cause: e });
  }

  const keys = new Map<string, string>();
  const id = (site: string, day: string) => `${site}\u0000${day}`;
  const derive = (secretHex: string): string => Buffer.from(secretHex, 'hex').toString('latin1');

  /** Decide every (site, day) among `found`; returns the undecided ones. */
  const settleFrom = (found: readonly Candidate[]): Set<string> => {
    const groups = new Map<string, Candidate[]>();
    for (const c of found) {
      const k = id(c.site, c.day);
      const g = groups.get(k);
      if (g) g.push(c);
      else groups.set(k, [c]);
    }
    const open = new Set<string>();
    for (const [k, g] of groups) {
      const w = decide(g, g[0]!.now, settle);
      if (w === null) open.add(k);
      else keys.set(k, derive(w));
    }
    return open;
  };
  const candidates = (where: Sql): Candidate[] =>
    rows<{ site: string; day: string; secret: string; c: number; now: number }>(
      sql`SELECT site, day, secret, toUInt32(created) AS c, toUInt32(now()) AS now FROM ${table} ${where}`,
    ).map((r) => ({ ...r, c: Number(r.c), now: Number(r.now) }));

  // Everything already settled is loaded once; keyFor then only goes to the server for new keys.
  try {
    settleFrom(candidates(raw('')));
  } catch (e) {
    http.close();
    throw new AppError('ERR_STORE_OPEN', [`${target.location} (keys)`, (e as Error).message], { cause: e });
  }
  const knownSites = new Set<string>([...keys.keys()].map((k) => k.slice(0, k.indexOf('\u0000'))));

  const resolve = (site: string, day: string): string => {
    knownSites.add(site);
    const days = windowDays(day);
    const inDays = sql`day IN (${days.map((d) => str(d)).reduce<Sql>((acc, d, i) => (i === 0 ? sql`${d}` : sql`${acc}, ${d}`), raw(''))})`;
    for (let round = 0; round < 100; round++) {
      const found = candidates(sql`WHERE ${inDays}`);
      const open = settleFrom(found);
      const k = keys.get(id(site, day));
      if (k !== undefined) return k;
      if (round === 0) {
        // Create the missing candidates of every known site for the window in one insert.
        const have = new Set(found.map((c) => id(c.site, c.day)));
        const add: string[] = [];
        for (const s of knownSites) {
          for (const d of days) {
            if (!have.has(id(s, d)) && !keys.has(id(s, d))) add.push(JSON.stringify({ site: s, day: d, secret: randomBytes(32).toString('hex') }));
          }
        }
        if (add.length > 0) q(sql`INSERT INTO ${table} (site, day, secret) FORMAT JSONEachRow`, `${add.join('\n')}\n`);
        continue;
      }
      if (!open.has(id(site, day)) && !found.some((c) => c.site === site && c.day === day)) {
        // Our insert is not visible (should not happen on one node): create it again.
        q(sql`INSERT INTO ${table} (site, day, secret) FORMAT JSONEachRow`, `${JSON.stringify({ site, day, secret: randomBytes(32).toString('hex') })}\n`);
      }
      http.sleep(500);
    }
    throw new Error(`no settled key for ${site} ${day}`);
  };

  return {
    keyFor(site, day) {
      const k = keys.get(id(site, day));
      if (k !== undefined) return k;
      try {
        return resolve(site, day);
      } catch (e) {
        throw new AppError('ERR_STORE_WRITE', [`key for ${site} ${day}: ${(e as Error).message}`], { cause: e });
      }
    },
    destroyBefore(day, site) {
      const only = site === undefined ? raw('') : sql` AND site = ${str(site)}`;
      const [r] = rows<{ n: string }>(sql`SELECT uniqExact(site, day) AS n FROM ${table} WHERE day < ${str(day)}${only}`);
      const n = Number(r?.n ?? 0);
      if (n > 0) {
        q(sql`ALTER TABLE ${table} DELETE WHERE day < ${str(day)}${only}`);
        for (let i = 0; i < 2400; i++) {
          const [m] = rows<{ n: string }>(sql`SELECT count() AS n FROM system.mutations WHERE database = ${str(db)} AND is_done = 0`);
          if (Number(m?.n ?? 0) === 0) break;
          http.sleep(50);
        }
      }
      for (const k of [...keys.keys()]) {
        const [s, d] = k.split('\u0000') as [string, string];
        if (d < day && (site === undefined || s === site)) keys.delete(k);
      }
      return n;
    },
    alive() {
      return rows<{ site: string; days: string; oldest: string }>(
        sql`SELECT site, uniqExact(day) AS days, min(day) AS oldest FROM ${table} GROUP BY site ORDER BY site`,
      ).map((r) => ({ site: r.site, days: Number(r.days), oldest: r.oldest }));
    },
    close() {
      http.close();
    },
  };
}
