/**
 * The raw-record window (privacy issue): raw lines as collected, kept per site and day for at
 * most W days, for re-aggregation and abuse investigation. This is the one deliberate place
 * where full IPs and user names are persisted, so it is kept apart from everything else:
 *
 * - one file per site and day, `<dir>/<YYYY-MM-DD>/<site>.log`: deleting a day is an unlink, and
 *   no raw value ever lives in the store file;
 * - written only by ingest, never read by report or serve;
 * - the committed size of every file is stored with the batch that wrote it (Batch.raw).
 *
 * Several ingests may write one spool at once (overlapping cron runs, two servers' logs of one
 * site, an HTTP ingest beside a CLI one). So a batch's lines are written only while the spool's
 * lock is held, from the sizes the store has committed, and the lock is held until the store's
 * commit has answered: a file's bytes beyond its committed size can then only be a dead
 * writer's, and whoever holds the lock next cuts them off. The lock is a SQLite write
 * transaction on `<dir>.lock`: the kernel drops it when its holder dies (kill -9 included).
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readdirSync, rmdirSync, statSync, unlinkSync, writeSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { appError } from '../core/errors.js';
import { ensurePrivateDir, prepareSqliteFile, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tighten } from '../core/private-files.js';

export interface RawFileState {
  readonly site: string;
  readonly day: string;
  readonly bytes: number;
  readonly lines: number;
}

/** One site-day's raw lines of a batch, each ending in '\n'. */
export interface RawLines {
  readonly site: string;
  readonly day: string;
  readonly bytes: Uint8Array;
  readonly lines: number;
}

/** The committed sizes of every raw file (the store's record). */
export type CommittedSizes = () => Promise<readonly RawFileState[]>;

/**
 * `<store>.raw` beside a SQLite store. A ClickHouse store's raw window stays on the ingesting
 * machine (raw lines never travel): `$XDG_DATA_HOME/weblog/raw/<host>_<port>_<database>`.
 */
export function rawSpoolDirFor(location: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return `${location}.raw`;
  const u = new URL(location);
  const db = u.pathname.replace(/^\/+/, '').replace(/[^A-Za-z0-9_.-]/g, '_') || 'default';
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'weblog', 'raw', `${u.hostname}_${u.port || 'default'}_${db}`);
}

/** Between tries for a held lock: short, as the holder is one store commit away from letting go. */
const LOCK_RETRY_MS = 5;

/**
 * The spool's cross-process lock, released by the kernel if its holder dies. Beside the spool
 * (`<dir>.lock`), so that the spool holds nothing but its day folders.
 */
class SpoolLock {
  readonly #db: Database.Database;
  constructor(dir: string) {
    const path = `${dir}.lock`;
    prepareSqliteFile(path);
    // timeout 0: a busy lock is retried asynchronously, so a server's event loop never blocks on it.
    // No schema: BEGIN IMMEDIATE locks even an empty file, and nothing is ever written to it
    // (a schema statement here could itself meet a busy lock while another process starts).
    this.#db = new Database(path, { timeout: 0 });
  }
  /** Callers of one instance take turns (SQLite has no nested write transaction). */
  #turn: Promise<unknown> = Promise.resolve();
  hold<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(() => this.#holdNow(fn));
    this.#turn = run.catch(() => undefined);
    return run;
  }
  async #holdNow<T>(fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        this.#db.exec('BEGIN IMMEDIATE');
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
        await sleep(LOCK_RETRY_MS);
      }
    }
    try {
      return await fn();
    } finally {
      this.#db.exec('ROLLBACK');
    }
  }
  close(): void {
    this.#db.close();
  }
}

/**
 * Runs `fn` holding the spool's lock: what it sees of the files and the store's record of them
 * stays consistent (the purge). A spool directory that does not exist yet is created.
 */
export async function withRawLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  ensurePrivateDir(dir);
  const lock = new SpoolLock(dir);
  try {
    return await lock.hold(fn);
  } finally {
    lock.close();
  }
}

const siteDay = (site: string, day: string): string => `${site}\u0000${day}`;

export class RawSpool {
  readonly #dir: string;
  readonly #lock: SpoolLock;
  readonly #committed: CommittedSizes;

  private constructor(dir: string, committed: CommittedSizes) {
    this.#dir = dir;
    this.#committed = committed;
    ensurePrivateDir(dir);
    tightenSpool(dir);
    this.#lock = new SpoolLock(dir);
  }

  /**
   * Opens the spool and, holding its lock, cuts every file back to its committed size and
   * unlinks files no batch committed: what a writer that died between its write and its commit
   * left behind. Live writers never leave such bytes outside the lock.
   */
  static async open(dir: string, committed: CommittedSizes): Promise<RawSpool> {
    const spool = new RawSpool(dir, committed);
    await spool.#lock.hold(async () => {
      const sizes = new Map((await committed()).map((f) => [siteDay(f.site, f.day), f.bytes]));
      for (const f of listRawFiles(dir)) {
        const keep = sizes.get(siteDay(f.site, f.day));
        if (keep === undefined) unlinkSync(spool.path(f.site, f.day));
        else if (f.bytes > keep) cutTo(spool.path(f.site, f.day), keep);
      }
    });
    return spool;
  }

  path(site: string, day: string): string {
    return join(this.#dir, day, `${site}.log`);
  }

  /**
   * Appends a batch's raw lines and commits the batch through `commitBatch`, which gets the new
   * sizes to record with it. The lines are written after the sizes the store recorded, not after
   * what this process last wrote, so several writers append in turn; if the commit fails or is
   * refused, the files are cut back and the error is thrown.
   */
  async commit(blocks: readonly RawLines[], commitBatch: (sizes: RawFileState[]) => Promise<void>): Promise<void> {
    if (blocks.length === 0) return commitBatch([]);
    await this.#lock.hold(async () => {
      const recorded = new Map((await this.#committed()).map((f) => [siteDay(f.site, f.day), f]));
      const written: { path: string; bytes: number }[] = [];
      const sizes: RawFileState[] = [];
      try {
        for (const b of blocks) {
          const was = recorded.get(siteDay(b.site, b.day));
          const from = was?.bytes ?? 0;
          const path = this.path(b.site, b.day);
          ensurePrivateDir(join(this.#dir, b.day));
          written.push({ path, bytes: from });
          writeAt(path, from, b.bytes);
          sizes.push({ site: b.site, day: b.day, bytes: from + b.bytes.length, lines: (was?.lines ?? 0) + b.lines });
        }
        await commitBatch(sizes);
      } catch (e) {
        for (const w of written) {
          if (w.bytes === 0) unlinkIfThere(w.path);
          else cutTo(w.path, w.bytes);
        }
        throw e;
      }
    });
  }

  close(): void {
    this.#lock.close();
  }
}

/** `bytes` written at `from`, after cutting the file there; a full disk is a store write error. */
function writeAt(path: string, from: number, bytes: Uint8Array): void {
  try {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, PRIVATE_FILE_MODE);
    try {
      // Cut only when there is something to cut: a truncate to the same size still changes the
      // file's times, which the fsync below then writes (5,000 vhosts: 3× the system time).
      if (fstatSync(fd).size !== from) ftruncateSync(fd, from);
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at, from + at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw appError('ERR_STORE_WRITE', `raw window file ${path}: ${(e as Error).message}`);
  }
}

function cutTo(path: string, bytes: number): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function unlinkIfThere(path: string): void {
  if (existsSync(path)) unlinkSync(path);
}

/** A spool left readable by others (an older weblog, a copy) gets the modes this one creates. */
function tightenSpool(dir: string): void {
  if (!existsSync(dir)) return;
  tighten(dir, PRIVATE_DIR_MODE);
  for (const day of readdirSync(dir)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    tighten(join(dir, day), PRIVATE_DIR_MODE);
    for (const f of readdirSync(join(dir, day))) tighten(join(dir, day, f), PRIVATE_FILE_MODE);
  }
}

/** Raw files on disk, from the directory layout. */
export function listRawFiles(dir: string): { site: string; day: string; bytes: number }[] {
  if (!existsSync(dir)) return [];
  const out: { site: string; day: string; bytes: number }[] = [];
  for (const day of readdirSync(dir).sort()) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    for (const f of readdirSync(join(dir, day)).sort()) {
      if (!f.endsWith('.log')) continue;
      out.push({ site: f.slice(0, -4), day, bytes: statSync(join(dir, day, f)).size });
    }
  }
  return out;
}

/** Unlink one site-day file (and its day directory when empty). */
export function deleteRawFile(dir: string, site: string, day: string): void {
  const path = join(dir, day, `${site}.log`);
  if (existsSync(path)) unlinkSync(path);
  const dayDir = join(dir, day);
  if (existsSync(dayDir) && readdirSync(dayDir).length === 0) rmdirSync(dayDir);
}
