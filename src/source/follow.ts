/**
 * `tail -F` for access logs: decides, for each followed path, which files to read next and up
 * to where. The reading itself is an ordinary file ingest (pipeline/ingest.ts), so delivery stays
 * what checkpoints make it: a file's content is identified by its fingerprint, and a range that
 * was committed is never read twice.
 *
 * Why a handle per followed file: logrotate renames the log away (and may compress and delete
 * it) while the web server still appends to it. Holding the file open and reading it through
 * /proc/self/fd/N keeps reading the same inode whatever its name is now, like `tail -F` does.
 * Where /proc is missing the path is used (a rename between two polls can then lose the tail of
 * the old file to the history scan, which still finds it by fingerprint at the next start).
 *
 * Reads of a live file end at its last newline: a line still being written is left for the next
 * poll. A file rotated away is drained until it has been quiet for a while, then read to its very
 * end (a last line without newline is then counted, as it would be by a one-off ingest).
 */
import { createReadStream, existsSync, watch, type FSWatcher } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { isGzip } from './file.js';
import { FINGERPRINT_BYTES } from './source.js';

/** One read the runner should do: `readPath` from its checkpoint up to `end` (null: to EOF). */
export interface FollowRead {
  /** The followed path or the rotated file's name, for messages and line samples. */
  readonly name: string;
  /** What to open (a /proc/self/fd path for an open handle). */
  readonly readPath: string;
  /** Stop before this byte offset; null = read to the end (closed or rotated history). */
  readonly end: number | null;
}

interface Tracked {
  readonly fh: FileHandle;
  readonly dev: number;
  readonly ino: number;
  /** The first bytes as last seen: if they change while the inode stays, the file was truncated and rewritten. */
  head: Buffer;
  /** Offset consumed so far; -1 until the first read says (it starts at the checkpoint). */
  offset: number;
  /** Size at the last poll. */
  size: number;
  /** When the file last grew (ms), for draining rotated files. */
  grewAt: number;
  /** When following this file started (ms): rotated copies newer than this are its remainder. */
  readonly since: number;
}

const PROC_FD = existsSync('/proc/self/fd');

function readPathOf(t: Tracked, path: string): string {
  return PROC_FD ? `/proc/self/fd/${t.fh.fd}` : path;
}

async function readAt(fh: FileHandle, pos: number, n: number): Promise<Buffer> {
  const buf = Buffer.alloc(n);
  const { bytesRead } = await fh.read(buf, 0, n, pos);
  return buf.subarray(0, bytesRead);
}

/** Offset just after the last newline in [from, size), or -1 when there is none. */
async function lastNewlineEnd(fh: FileHandle, from: number, size: number): Promise<number> {
  const STEP = 64 * 1024;
  let hi = size;
  while (hi > from) {
    const lo = Math.max(from, hi - STEP);
    const buf = await readAt(fh, lo, hi - lo);
    const nl = buf.lastIndexOf(10);
    if (nl !== -1) return lo + nl + 1;
    hi = lo;
  }
  return -1;
}

/** What completeLinesEnd says of a gzip file that does not decompress to its end yet. */
const UNFINISHED = -2;

/**
 * Where the complete lines of a rotated copy end: after the last newline of a plain file (-1: no
 * newline yet, or gone); for a gzip file, its end (null) when the archive is whole, else UNFINISHED.
 */
async function completeLinesEnd(path: string, size: number): Promise<number | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return -1;
  }
  try {
    const magic = await readAt(fh, 0, 2);
    if (isGzip(magic)) return (await gzipWhole(path)) ? null : UNFINISHED;
    return await lastNewlineEnd(fh, 0, size);
  } finally {
    await fh.close();
  }
}

/** Whether a gzip file decompresses to its end (a file still being compressed stops short). */
async function gzipWhole(path: string): Promise<boolean> {
  try {
    await pipeline(createReadStream(path), createGunzip(), new Writable({ write: (_c, _e, cb) => cb() }));
    return true;
  } catch {
    return false;
  }
}

const ROTATED_SUFFIX = /^(?:\.\d+|[-.]\d{8}|[-.]\d{4}-\d{2}-\d{2})(?:\.gz)?$/;

/**
 * Rotated copies of `path` in its directory (`access.log.1`, `access.log.2.gz`,
 * `access.log-20240301.gz`), oldest first, modified at or after `sinceMs`.
 */
export async function rotatedSiblings(path: string, sinceMs = 0): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: { path: string; mtime: number; n: number }[] = [];
  for (const name of names) {
    if (!name.startsWith(base) || name === base || !ROTATED_SUFFIX.test(name.slice(base.length))) continue;
    const p = join(dir, name);
    try {
      const st = await stat(p);
      if (!st.isFile() || st.mtimeMs < sinceMs) continue;
      const m = /^\.(\d+)/.exec(name.slice(base.length));
      found.push({ path: p, mtime: st.mtimeMs, n: m ? Number(m[1]) : 0 });
    } catch {
      // Rotated away again between readdir and stat: the next scan sees its new name.
    }
  }
  // Oldest first; for equal times the higher rotation number is the older file.
  found.sort((a, b) => a.mtime - b.mtime || b.n - a.n || (a.path < b.path ? -1 : 1));
  return found.map((f) => f.path);
}

export interface FollowerOptions {
  /** A rotated file that has not grown for this long is read to its end and let go. */
  readonly drainQuietMs: number;
  /** Read rotated history (`.1`, `.gz` …) once at start. */
  readonly history: boolean;
}

/** Follows one path across rotations. Call poll(), do its reads in order, then close() at the end. */
export class FileFollower {
  readonly path: string;
  readonly #opts: FollowerOptions;
  #cur: Tracked | null = null;
  /** Files rotated away that the server may still be appending to. */
  readonly #draining: Tracked[] = [];
  #started = false;
  /** Rotated copies already read in this run (path + size + mtime): scanning them again is a no-op. */
  readonly #seen = new Set<string>();
  /**
   * Rotated copies found while still being written (logrotate's copytruncate copies, a .gz being
   * compressed), with their mtime when last seen: read up to their last newline until they have
   * been quiet for drainQuietMs, then to their end. A partial last line read from a copy in
   * progress was counted as a line, and the rest of it as another (found by the kill -9 test).
   */
  readonly #fresh = new Map<string, number>();
  /**
   * Archives found not whole, with their path + size + mtime then: one is decompressed again only
   * once it has changed (every poll decompressed it, work that grew with the archive).
   */
  readonly #unfinished = new Map<string, string>();

  constructor(path: string, opts: FollowerOptions) {
    this.path = path;
    this.#opts = opts;
  }

  async #track(): Promise<Tracked | null> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch {
      return null; // between logrotate's rename and the server's create
    }
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      return null;
    }
    const head = await readAt(fh, 0, FINGERPRINT_BYTES);
    return { fh, dev: st.dev, ino: st.ino, head, offset: -1, size: st.size, grewAt: Date.now(), since: Date.now() };
  }

  /** Reads of rotated copies not read yet in this run, oldest first. */
  async #siblings(sinceMs: number): Promise<FollowRead[]> {
    const out: FollowRead[] = [];
    for (const p of await rotatedSiblings(this.path, sinceMs)) {
      const r = await this.#siblingRead(p);
      if (r) out.push(r);
    }
    return out;
  }

  /** The read a rotated copy needs now: none, its complete lines while it is being written, or all of it. */
  async #siblingRead(p: string): Promise<FollowRead | null> {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(p);
    } catch {
      return null; // gone meanwhile
    }
    const key = `${p}\0${st.size}\0${st.mtimeMs}`;
    if (this.#seen.has(key)) return null;
    if (Date.now() - st.mtimeMs < this.#opts.drainQuietMs) {
      if (this.#unfinished.get(p) === key) return null;
      const end = await completeLinesEnd(p, st.size);
      this.#unfinished.delete(p);
      if (end === null) {
        // A whole archive: nothing more will be written to it.
        this.#fresh.delete(p);
        this.#seen.add(key);
        return { name: p, readPath: p, end: null };
      }
      this.#fresh.set(p, st.mtimeMs);
      if (end === UNFINISHED) this.#unfinished.set(p, key);
      return end <= 0 ? null : { name: p, readPath: p, end };
    }
    this.#fresh.delete(p);
    this.#unfinished.delete(p);
    this.#seen.add(key);
    return { name: p, readPath: p, end: null };
  }

  /** Reads of the copies still being written when found; one gone (compressed, renamed) is looked for under its new name. */
  async #freshReads(): Promise<FollowRead[]> {
    const out: FollowRead[] = [];
    for (const [p, mtime] of [...this.#fresh]) {
      if (existsSync(p)) {
        const r = await this.#siblingRead(p);
        if (r) out.push(r);
        continue;
      }
      this.#fresh.delete(p);
      this.#unfinished.delete(p);
      // Compression keeps the mtime (gzip, and logrotate's compress): the new name is at least as new.
      out.push(...(await this.#siblings(mtime - 1)));
    }
    return out;
  }

  /** A read of `t` up to its last complete line, or null when nothing new is complete. */
  async #liveRead(t: Tracked, name: string, size: number): Promise<FollowRead | null> {
    const from = Math.max(t.offset, 0);
    if (size <= from) return null;
    const end = await lastNewlineEnd(t.fh, from, size);
    if (end <= from) return null;
    return { name, readPath: readPathOf(t, this.path), end };
  }

  /** What to read now, in this order. Cheap when nothing changed: one stat and a 1 KB read. */
  async poll(): Promise<FollowRead[]> {
    const reads: FollowRead[] = [];
    const now = Date.now();

    // Rotated-away files first: their lines are older than the new file's.
    for (let i = 0; i < this.#draining.length; i++) {
      const d = this.#draining[i]!;
      const st = await d.fh.stat();
      if (st.size > d.size) {
        d.size = st.size;
        d.grewAt = now;
      }
      if (now - d.grewAt >= this.#opts.drainQuietMs) {
        if (st.size > Math.max(d.offset, 0)) reads.push({ name: `${this.path} (rotated)`, readPath: readPathOf(d, this.path), end: null });
        this.#draining.splice(i--, 1);
        // Closed by release(), after the runner has read through the handle.
        this.#closeLater.push(d.fh);
      } else {
        const r = await this.#liveRead(d, `${this.path} (rotated)`, st.size);
        if (r) reads.push(r);
      }
    }

    if (!this.#started) {
      this.#started = true;
      if (this.#opts.history) reads.push(...(await this.#siblings(0)));
    } else reads.push(...(await this.#freshReads()));

    let st: Awaited<ReturnType<typeof stat>> | null = null;
    try {
      st = await stat(this.path);
    } catch {
      st = null;
    }
    const cur = this.#cur;
    if (cur !== null) {
      const rotated = st === null || st.ino !== cur.ino || st.dev !== cur.dev;
      if (rotated) {
        // Renamed away (logrotate create): keep reading the old inode until it is quiet.
        const cst = await cur.fh.stat();
        cur.size = cst.size;
        cur.grewAt = now;
        this.#draining.push(cur);
        const r = await this.#liveRead(cur, `${this.path} (rotated)`, cst.size);
        if (r) reads.push(r);
        this.#cur = null;
      } else {
        const head = await readAt(cur.fh, 0, Math.max(cur.head.length, Math.min(FINGERPRINT_BYTES, st!.size)));
        const replaced = st!.size < Math.max(cur.offset, 0) || !head.subarray(0, cur.head.length).equals(cur.head);
        if (replaced) {
          // copytruncate: the lines after our offset are in the copy (.1, maybe .gz by now);
          // it has the old content's fingerprint, so its read resumes exactly where we were.
          reads.push(...(await this.#siblings(cur.since - 1000)));
          cur.offset = -1;
        }
        cur.head = head;
        if (st!.size !== cur.size) cur.grewAt = now;
        cur.size = st!.size;
        const r = await this.#liveRead(cur, this.path, st!.size);
        if (r) reads.push(r);
        return reads;
      }
    }
    if (st !== null) {
      const t = await this.#track();
      if (t !== null) {
        this.#cur = t;
        const r = await this.#liveRead(t, this.path, t.size);
        if (r) reads.push(r);
      }
    }
    return reads;
  }

  readonly #closeLater: FileHandle[] = [];

  /** Record how far a read got (the runner calls this after each read of poll()'s list). */
  reached(read: FollowRead, offset: number): void {
    for (const t of [this.#cur, ...this.#draining]) {
      if (t !== null && read.readPath === readPathOf(t, this.path)) t.offset = offset;
    }
  }

  /** Handles of drained files, closed once their last read is done. */
  async release(): Promise<void> {
    for (const fh of this.#closeLater.splice(0)) await fh.close().catch(() => undefined);
  }

  /** Sizes and inodes as seen now, to tell whether anything changed since. */
  async signature(): Promise<string> {
    let s = '';
    try {
      const st = await stat(this.path);
      s = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      s = 'missing';
    }
    // Files still settling are polled whatever the live file does.
    const busy = this.#draining.length + this.#fresh.size;
    return s + (busy > 0 ? `:draining${busy}` : '');
  }

  async close(): Promise<void> {
    await this.release();
    for (const t of [this.#cur, ...this.#draining.splice(0)]) if (t !== null) await t.fh.close().catch(() => undefined);
    this.#cur = null;
  }
}

/**
 * Wakes the follow loop when a followed file's directory changes (fs.watch), with a stat poll
 * as the fallback for file systems where watch does not report (NFS, some containers).
 */
export class ChangeWaiter {
  readonly #watchers: FSWatcher[] = [];
  #wake: (() => void) | null = null;
  #dirty = true;

  constructor(paths: readonly string[]) {
    for (const dir of new Set(paths.map((p) => dirname(p)))) {
      try {
        const w = watch(dir, { persistent: false }, () => this.#poke());
        w.on('error', () => undefined);
        this.#watchers.push(w);
      } catch {
        // No watch support: the poll interval still finds changes.
      }
    }
  }

  #poke(): void {
    this.#dirty = true;
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Resolves on a change notice, after `ms`, or on abort; true when a notice came. */
  async wait(ms: number, signal: AbortSignal): Promise<boolean> {
    if (!this.#dirty && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.#wake = null;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener('abort', done, { once: true });
        this.#wake = done;
      });
    }
    const d = this.#dirty;
    this.#dirty = false;
    return d;
  }

  close(): void {
    for (const w of this.#watchers) w.close();
  }
}
