/**
 * Per-site, per-day secrets for pseudonyms and visitor hashes.
 *
 * Why per site: the same visitor gets unrelated pseudonyms and visitor hashes on two customers'
 * sites, so nothing in the store links one customer's visitors to another's. Why per day: keys
 * rotate, and a day's key can be destroyed once nothing needs to recognise that day's visitors
 * again (privacy issue: at the end of the raw window); after that no one can link a pseudonym
 * back to an address by trying addresses. Keys live in their own SQLite file beside the store
 * (`<store>.keys`), never in the store itself, so a copy of the store alone links nothing.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';

export interface KeyRing {
  /** The secret for (site, date), created on first use. Synchronous: called once per site-day. */
  keyFor(site: string, date: string): string;
  /** Destroy the keys of days before `date` (YYYY-MM-DD), of one site or all; returns how many. */
  destroyBefore(date: string, site?: string): number;
  /** Days that still have a key, per site. */
  alive(): { site: string; days: number; oldest: string | null }[];
  close(): void;
}

export function keyRingPathFor(storePath: string): string {
  return `${storePath}.keys`;
}

/** Keys that vanish with the process: for the anonymising filter and for tests. */
export function createMemoryKeyRing(): KeyRing {
  const keys = new Map<string, string>();
  return {
    keyFor(site, date) {
      const id = `${site}\u0000${date}`;
      let k = keys.get(id);
      if (k === undefined) {
        k = randomBytes(32).toString('latin1');
        keys.set(id, k);
      }
      return k;
    },
    destroyBefore(date, site) {
      let n = 0;
      for (const id of keys.keys()) {
        const [s, day] = id.split('\u0000') as [string, string];
        if (day < date && (site === undefined || s === site)) {
          keys.delete(id);
          n++;
        }
      }
      return n;
    },
    alive() {
      const per = new Map<string, { days: number; oldest: string | null }>();
      for (const id of keys.keys()) {
        const [site, day] = id.split('\u0000') as [string, string];
        const e = per.get(site) ?? { days: 0, oldest: null };
        e.days++;
        if (e.oldest === null || day < e.oldest) e.oldest = day;
        per.set(site, e);
      }
      return [...per].map(([site, e]) => ({ site, ...e }));
    },
    close() {
      keys.clear();
    },
  };
}

export function openFileKeyRing(path: string): KeyRing {
  const db = new Database(path);
  // secure_delete: a destroyed key's bytes are overwritten, not left in a free page.
  db.pragma('secure_delete = ON');
  db.pragma('journal_mode = DELETE');
  db.exec('CREATE TABLE IF NOT EXISTS site_day_key (site TEXT NOT NULL, day TEXT NOT NULL, secret BLOB NOT NULL, PRIMARY KEY (site, day)) WITHOUT ROWID');
  const get = db.prepare<[string, string], { secret: Buffer }>('SELECT secret FROM site_day_key WHERE site = ? AND day = ?');
  const put = db.prepare('INSERT OR IGNORE INTO site_day_key (site, day, secret) VALUES (?, ?, ?)');
  const del = db.prepare('DELETE FROM site_day_key WHERE day < ?');
  const delSite = db.prepare('DELETE FROM site_day_key WHERE day < ? AND site = ?');
  const alive = db.prepare<[], { site: string; days: number; oldest: string | null }>(
    'SELECT site, COUNT(*) AS days, MIN(day) AS oldest FROM site_day_key GROUP BY site ORDER BY site',
  );
  const cache = new Map<string, string>();
  return {
    keyFor(site, date) {
      const id = `${site}\u0000${date}`;
      const hit = cache.get(id);
      if (hit !== undefined) return hit;
      let row = get.get(site, date);
      if (row === undefined) {
        put.run(site, date, randomBytes(32));
        row = get.get(site, date)!;
      }
      const k = row.secret.toString('latin1');
      cache.set(id, k);
      return k;
    },
    destroyBefore(date, site) {
      for (const id of cache.keys()) {
        const [s, day] = id.split('\u0000') as [string, string];
        if (day < date && (site === undefined || s === site)) cache.delete(id);
      }
      const n = (site === undefined ? del.run(date) : delSite.run(date, site)).changes;
      // secure_delete zeroed the cells; VACUUM also rebuilds the file without the freed pages.
      if (n > 0) db.exec('VACUUM');
      return n;
    },
    alive: () => alive.all(),
    close: () => db.close(),
  };
}
