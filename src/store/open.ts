/** Picks the Store implementation from a location: a file path is the embedded SQLite store. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { appError } from '../core/errors.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  readonly visitTimeoutSec: number;
  readonly readonly?: boolean;
}

/** `WEBLOG_STORE`, else ~/.local/share/weblog/weblog.db (XDG data home when set). */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WEBLOG_STORE) return env.WEBLOG_STORE;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'weblog', 'weblog.db');
}

export async function openStore(location: string, opts: OpenStoreOptions): Promise<Store> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw appError('ERR_STORE_URL', location.replace(/\/\/[^@/]*@/, '//***@'));
  return openSqliteStore(location, opts);
}
