/**
 * The raw-record window (privacy issue): raw lines as collected, kept per site and day for at
 * most W days, for re-aggregation and abuse investigation. This is the one deliberate place
 * where full IPs and user names are persisted, so it is kept apart from everything else:
 *
 * - one file per site and day, `<dir>/<YYYY-MM-DD>/<site>.log`: deleting a day is an unlink, and
 *   no raw value ever lives in the store file;
 * - written only by ingest, never read by report or serve;
 * - the committed size of every file is stored with the batch that wrote it (Batch.raw), and a
 *   spool cuts each file back to its committed size before appending, so a crash between the
 *   append and the commit neither loses nor doubles a line.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface RawFileState {
  readonly site: string;
  readonly day: string;
  readonly bytes: number;
  readonly lines: number;
}

interface Pending {
  chunks: string[];
  /** Bytes buffered in `chunks`. */
  size: number;
  /** Bytes on disk. */
  bytes: number;
  lines: number;
  /** Appended to since the last flush. */
  dirty: boolean;
}

const FLUSH_BYTES = 1 << 20;

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

export class RawSpool {
  readonly #dir: string;
  readonly #files = new Map<string, Pending>();

  /** `committed`: the sizes the store knows; anything beyond them on disk was never committed. */
  constructor(dir: string, committed: readonly RawFileState[]) {
    this.#dir = dir;
    for (const f of committed) {
      const path = this.path(f.site, f.day);
      if (existsSync(path) && statSync(path).size > f.bytes) {
        const fd = openSync(path, 'r+');
        try {
          ftruncateSync(fd, f.bytes);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
      this.#files.set(`${f.site}\u0000${f.day}`, { chunks: [], size: 0, bytes: f.bytes, lines: f.lines, dirty: false });
    }
    // Files the store has no size for were written by a batch that never committed.
    for (const f of listRawFiles(dir)) {
      if (!this.#files.has(`${f.site}\u0000${f.day}`)) unlinkSync(this.path(f.site, f.day));
    }
  }

  path(site: string, day: string): string {
    return join(this.#dir, day, `${site}.log`);
  }

  /** Buffer one raw line (a latin1 byte string, no newline). */
  append(site: string, day: string, line: string): void {
    const key = `${site}\u0000${day}`;
    let p = this.#files.get(key);
    if (p === undefined) {
      p = { chunks: [], size: 0, bytes: 0, lines: 0, dirty: false };
      this.#files.set(key, p);
    }
    p.chunks.push(line);
    p.size += line.length + 1;
    p.lines++;
    p.dirty = true;
    if (p.size >= FLUSH_BYTES) this.#write(site, day, p, false);
  }

  /** Buffer `lines` raw lines at once, `text` holding them joined by '\n' (a worker's batch). */
  appendBlock(site: string, day: string, text: string, lines: number): void {
    if (lines === 0) return;
    // #write joins its chunks with '\n': a block is one chunk that counts as `lines` lines.
    this.append(site, day, text);
    this.#files.get(`${site}\u0000${day}`)!.lines += lines - 1;
  }

  #write(site: string, day: string, p: Pending, sync: boolean): void {
    if (p.chunks.length === 0 && !sync) return;
    mkdirSync(join(this.#dir, day), { recursive: true, mode: 0o700 });
    const fd = openSync(this.path(site, day), 'a', 0o600);
    try {
      if (p.chunks.length > 0) {
        const buf = Buffer.from(`${p.chunks.join('\n')}\n`, 'latin1');
        writeSync(fd, buf);
        p.bytes += buf.length;
        p.chunks = [];
        p.size = 0;
      }
      if (sync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Write and fsync what is buffered; returns the sizes to commit with the batch. */
  flush(): RawFileState[] {
    const out: RawFileState[] = [];
    for (const [key, p] of this.#files) {
      if (!p.dirty) continue;
      const [site, day] = key.split('\u0000') as [string, string];
      this.#write(site, day, p, true);
      p.dirty = false;
      out.push({ site, day, bytes: p.bytes, lines: p.lines });
    }
    return out;
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
