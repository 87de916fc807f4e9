/**
 * The secrets behind pseudonyms and visitor ids.
 *
 * One secret per day and raw-window length ("epoch secret"), and per site a key derived from it:
 * key(site, day) = HMAC-SHA256(secret(day, W), site), W = the site's raw window. Why:
 * - Per site: the same visitor gets unrelated pseudonyms and visitor ids on two customers'
 *   sites, so nothing in the store links one customer's visitors to another's. Deriving the site
 *   keys makes their number independent of the number of sites: a shared-hosting log with 5,000
 *   sites needs one secret a day, not 5,000 (and the ClickHouse key ring agrees on one secret per
 *   day, not per site, between writers: docs/privacy.md, "Keys").
 * - Per day, per window: a day's secret is destroyed once the day is past the raw window of the
 *   sites that use it (`destroyExpired`), and with it every site's key of that day; after that
 *   nobody, the operator included, can link a pseudonym to an address by trying addresses. Sites
 *   with different windows never share a secret, so a short window is never held to a long one.
 * - Days already past their window when their lines arrive (an old archive) get a secret that
 *   lives only in this process: it is never written anywhere, and it is gone when the process
 *   ends. Files of one `weblog ingest` run share it, so visitors of several files of such a day
 *   are counted once; a later run cannot join them (docs/metrics.md, "Late data").
 *
 * Every key has a generation (`gen`, a digest of the secret, never the secret): stores merge
 * visitor ids of one site-day only within one generation.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { prepareSqliteFile } from '../core/private-files.js';
import { addDays } from '../core/dates.js';
import { sipKeyOf, type SipKey } from './siphash.js';

export interface KeyRequest {
  readonly site: string;
  /** YYYY-MM-DD. */
  readonly day: string;
  /** The site's raw window in days (0: keys die when the day is over). */
  readonly windowDays: number;
}

export interface SiteDayKey {
  readonly key: SipKey;
  /** Which secret the key came from ('p:…' for a key that lives only in this process). */
  readonly gen: string;
}

/** Secrets destroyed by one `destroyExpired`, per window length. */
export interface DestroyedSecrets {
  readonly windowDays: number;
  /** How many days' secrets: stored ones deleted, and process-only ones of this process dropped. */
  readonly days: number;
  /** The first day whose secret was kept (today − window). */
  readonly keptFrom: string;
}

export interface KeyStatus {
  readonly windowDays: number;
  readonly days: number;
  readonly oldest: string | null;
}

export interface KeyRing {
  /**
   * The keys of (site, day) pairs, in request order. A day before `today − window` gets a key
   * that lives only in this process. Batched and asynchronous: a store that must agree with
   * other writers does it here, never on the line path.
   */
  keysFor(reqs: readonly KeyRequest[], today: string): Promise<SiteDayKey[]>;
  /**
   * Destroys every secret of a day before `today − window`: the stored ones, and the ones this
   * process held only in memory for late lines (an old archive just ingested).
   */
  destroyExpired(today: string): Promise<DestroyedSecrets[]>;
  /** Stored secrets per window length. */
  alive(): Promise<KeyStatus[]>;
  close(): Promise<void>;
}

export function keyRingPathFor(storePath: string): string {
  return `${storePath}.keys`;
}

/** key(site) = first 16 bytes of HMAC-SHA256(secret, site). */
export function deriveSiteKey(secret: Uint8Array, site: string): SipKey {
  return sipKeyOf(createHmac('sha256', secret).update(site, 'utf8').digest());
}

/** A public name for a secret: 64 bits of SHA-256 over a label and the secret. */
export function genOf(secret: Uint8Array): string {
  return createHash('sha256').update('weblog key generation\u0000').update(secret).digest('hex').slice(0, 16);
}

/** Whether `day` is already past its raw window on `today` (its secret must not be stored). */
export function isExpired(day: string, windowDays: number, today: string): boolean {
  return day < addDays(today, -windowDays);
}

/** Secrets that live only in this process, per (day, window); shared by every caller of one ring. */
class ProcessSecrets {
  readonly #secrets = new Map<string, { secret: Buffer; gen: string }>();
  get(day: string, windowDays: number): { secret: Buffer; gen: string } {
    const id = `${day}\u0000${windowDays}`;
    let s = this.#secrets.get(id);
    if (s === undefined) {
      const secret = randomBytes(32);
      s = { secret, gen: `p:${genOf(secret)}` };
      this.#secrets.set(id, s);
    }
    return s;
  }
  /** Zeroes and drops the secrets `expired` picks; returns their (day, window) pairs. */
  drop(expired: (day: string, windowDays: number) => boolean): { day: string; windowDays: number }[] {
    const dropped: { day: string; windowDays: number }[] = [];
    for (const [id, s] of this.#secrets) {
      const [day, w] = id.split('\u0000') as [string, string];
      if (!expired(day, Number(w))) continue;
      s.secret.fill(0);
      this.#secrets.delete(id);
      dropped.push({ day, windowDays: Number(w) });
    }
    return dropped;
  }
  clear(): void {
    for (const s of this.#secrets.values()) s.secret.fill(0);
    this.#secrets.clear();
  }
}

/** Counts destroyed (day, window) pairs per window. */
export function destroyedByWindow(pairs: readonly { day: string; windowDays: number }[], today: string): DestroyedSecrets[] {
  const n = new Map<number, number>();
  for (const p of pairs) n.set(p.windowDays, (n.get(p.windowDays) ?? 0) + 1);
  return [...n].sort((a, b) => a[0] - b[0]).map(([windowDays, days]) => ({ windowDays, days, keptFrom: addDays(today, -windowDays) }));
}

/** Site-day keys kept before the table is emptied (an HMAC each to make again: ~6 µs). */
const DERIVED_LIMIT = 20_000;

/**
 * Derived keys, per (window, day, site), so that a site-day in use costs one HMAC per process.
 * Nested maps rather than one map by a joined string: a shared host's batch asks for thousands
 * of site-days, and a joined key string per site-day (plus its key object) was most of what the
 * table held; bounded, because a day's keys are asked for while its lines come, then seldom again.
 */
class DerivedKeys {
  readonly #keys = new Map<number, Map<string, Map<string, SiteDayKey>>>();
  #size = 0;
  get(r: KeyRequest, secretOf: () => { secret: Uint8Array; gen: string }): SiteDayKey {
    const k = this.#keys.get(r.windowDays)?.get(r.day)?.get(r.site);
    if (k !== undefined) return k;
    const s = secretOf();
    const made = { key: deriveSiteKey(s.secret, r.site), gen: s.gen };
    if (this.#size >= DERIVED_LIMIT) this.clear();
    let byDay = this.#keys.get(r.windowDays);
    if (byDay === undefined) this.#keys.set(r.windowDays, (byDay = new Map()));
    let bySite = byDay.get(r.day);
    if (bySite === undefined) byDay.set(r.day, (bySite = new Map()));
    bySite.set(r.site, made);
    this.#size++;
    return made;
  }
  forgetBefore(pred: (day: string, windowDays: number) => boolean): void {
    for (const [w, byDay] of this.#keys) {
      for (const [day, bySite] of byDay) {
        if (!pred(day, w)) continue;
        this.#size -= bySite.size;
        byDay.delete(day);
      }
    }
  }
  clear(): void {
    this.#keys.clear();
    this.#size = 0;
  }
}

/** Keys that vanish with the process: for the anonymising filter and for tests. */
export function createMemoryKeyRing(): KeyRing {
  const secrets = new ProcessSecrets();
  const derived = new DerivedKeys();
  return {
    async keysFor(reqs) {
      return reqs.map((r) => derived.get(r, () => secrets.get(r.day, r.windowDays)));
    },
    async destroyExpired(today) {
      const expired = (day: string, w: number): boolean => isExpired(day, w, today);
      derived.forgetBefore(expired);
      return destroyedByWindow(secrets.drop(expired), today);
    },
    async alive() {
      return [];
    },
    async close() {
      secrets.clear();
      derived.clear();
    },
  };
}

/** The embedded store's key ring: a SQLite file of its own beside the store (`<store>.keys`). */
export function openFileKeyRing(path: string): KeyRing {
  prepareSqliteFile(path);
  const db = new Database(path);
  // secure_delete: a destroyed secret's bytes are overwritten, not left in a free page.
  db.pragma('secure_delete = ON');
  db.pragma('journal_mode = DELETE');
  db.exec(`CREATE TABLE IF NOT EXISTS epoch_secret (day TEXT NOT NULL, window_days INTEGER NOT NULL, secret BLOB NOT NULL,
    PRIMARY KEY (day, window_days)) WITHOUT ROWID`);
  // Keys of the per-site-day scheme (before epoch secrets): their visitor ids cannot be joined
  // with new ones anyway, so they are destroyed at once rather than kept until their window ends.
  const legacy = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'site_day_key'").get() as { n: number };
  if (legacy.n > 0) {
    db.exec('DROP TABLE site_day_key');
    db.exec('VACUUM');
  }
  const get = db.prepare<[string, number], { secret: Buffer }>('SELECT secret FROM epoch_secret WHERE day = ? AND window_days = ?');
  const put = db.prepare('INSERT OR IGNORE INTO epoch_secret (day, window_days, secret) VALUES (?, ?, ?)');
  const all = db.prepare<[], { day: string; window_days: number }>('SELECT day, window_days FROM epoch_secret');
  const del = db.prepare('DELETE FROM epoch_secret WHERE day = ? AND window_days = ?');
  const status = db.prepare<[], { window_days: number; days: number; oldest: string | null }>(
    'SELECT window_days, COUNT(*) AS days, MIN(day) AS oldest FROM epoch_secret GROUP BY window_days ORDER BY window_days',
  );
  const stored = new Map<string, { secret: Buffer; gen: string }>();
  const process = new ProcessSecrets();
  const derived = new DerivedKeys();
  /** The stored secret of (day, w); a missing one is created unless `create` is false (then null). */
  const storedSecret = (day: string, w: number, create: boolean): { secret: Buffer; gen: string } | null => {
    const id = `${day}\u0000${w}`;
    let s = stored.get(id);
    if (s === undefined) {
      let row = get.get(day, w);
      if (row === undefined) {
        if (!create) return null;
        put.run(day, w, randomBytes(32));
        row = get.get(day, w)!;
      }
      s = { secret: row.secret, gen: genOf(row.secret) };
      stored.set(id, s);
    }
    return s;
  };
  return {
    async keysFor(reqs, today) {
      // An expired day uses its stored secret while the purge has not destroyed it yet (data of
      // earlier runs was made with it), and never stores a new one. The secret is resolved once
      // per (day, window) of the call, not per site: a shared host's batch asks for thousands of
      // sites of one day, and an expired day's lookup finds no row, which storedSecret cannot
      // cache (measured: 35,000 lookups, 0.7 s of a 5,000-site ingest).
      const secrets = new Map<string, { secret: Uint8Array; gen: string }>();
      const secretOf = (r: KeyRequest): { secret: Uint8Array; gen: string } => {
        const id = `${r.day}\u0000${r.windowDays}`;
        let s = secrets.get(id);
        if (s === undefined) {
          const expired = isExpired(r.day, r.windowDays, today);
          s = storedSecret(r.day, r.windowDays, !expired) ?? process.get(r.day, r.windowDays);
          secrets.set(id, s);
        }
        return s;
      };
      return reqs.map((r) => derived.get(r, () => secretOf(r)));
    },
    async destroyExpired(today) {
      const expired = (day: string, w: number): boolean => isExpired(day, w, today);
      const doomed = all.all().filter((r) => expired(r.day, r.window_days));
      if (doomed.length > 0) {
        db.transaction(() => {
          for (const r of doomed) del.run(r.day, r.window_days);
        })();
        for (const r of doomed) {
          const id = `${r.day}\u0000${r.window_days}`;
          stored.get(id)?.secret.fill(0);
          stored.delete(id);
        }
        // secure_delete zeroed the cells; VACUUM also rebuilds the file without the freed pages.
        db.exec('VACUUM');
      }
      derived.forgetBefore(expired);
      const dropped = process.drop(expired);
      return destroyedByWindow([...doomed.map((r) => ({ day: r.day, windowDays: r.window_days })), ...dropped], today);
    },
    async alive() {
      return status.all().map((r) => ({ windowDays: r.window_days, days: r.days, oldest: r.oldest }));
    },
    async close() {
      process.clear();
      derived.clear();
      for (const s of stored.values()) s.secret.fill(0);
      stored.clear();
      db.close();
    },
  };
}
