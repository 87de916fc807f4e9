/**
 * Files that hold weblog data or keys are readable by their owner only (docs/privacy.md): the
 * store and its WAL/SHM, the key ring, the accounts' token secret, the raw-window spool. Any local
 * account that can read the store reads every customer's summaries; one that can read the keys
 * can brute-force the IPv4 space behind each day's pseudonyms.
 *
 * SQLite creates a database's `-wal`, `-shm` and `-journal` files with the mode of the database
 * file itself, so creating that file 0600 before SQLite opens it covers them too. A store made by
 * an older weblog (0644) is tightened when it is opened, and stderr says so once: after that it
 * is no longer loose.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** SQLite's companions of a database file. */
const SQLITE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/** Where tightening is reported; tests replace it. */
export const privateFiles = {
  notice: (message: string): void => void process.stderr.write(`weblog: ${message}\n`),
};

/** Others (group or world) may read or write it. */
function loose(mode: number): boolean {
  return (mode & 0o077) !== 0;
}

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/** Sets `path` to `mode` when it is looser, and says so; a file we may not change gets a warning. */
export function tighten(path: string, mode: number): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  if (!loose(st.mode)) return;
  try {
    chmodSync(path, mode);
    privateFiles.notice(`${path} was readable by others (${octal(st.mode)}); it holds weblog data or keys and is now ${octal(mode)}`);
  } catch (e) {
    privateFiles.notice(`${path} is readable by others (${octal(st.mode)}) and could not be tightened: ${(e as Error).message}`);
  }
}

/** Creates `dir` (and missing parents) 0700. An existing directory keeps its mode: it may be shared. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Before SQLite opens `path`: create it empty and 0600 when missing (its parent 0700 when missing),
 * and tighten it and its companions when an older weblog left them readable by others.
 * `create: false` (read-only opens) only tightens.
 */
export function prepareSqliteFile(path: string, opts: { create: boolean } = { create: true }): void {
  if (opts.create && !existsSync(path)) {
    ensurePrivateDir(dirname(path));
    // 'a': creates it without truncating a file another process created meanwhile.
    closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  }
  for (const s of SQLITE_SUFFIXES) tighten(`${path}${s}`, PRIVATE_FILE_MODE);
}
