/** A server on a fresh store with two customers, their sites, tokens and some data. */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { keyRingPathFor, openFileKeyRing } from '../../src/anonymise/index.js';
import { serveConfig } from '../../src/cli/serve.js';
import { createApp, type App, type ServerOptions } from '../../src/server/index.js';
import { openAccountStore } from '../../src/store/index.js';
import { openStore, type OpenStoreOptions } from '../../src/store/index.js';
import { tempStore, weblog } from '../helpers/cli.js';

export const UA_FF = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';

/** Combined-format line; `host` adds a vhost prefix (vhost_combined). */
export function line(ip: string, day: number, path: string, opts: { status?: number; bytes?: number; host?: string; hour?: number } = {}): string {
  const hh = String(opts.hour ?? 10).padStart(2, '0');
  const l = `${ip} - - [${String(day).padStart(2, '0')}/Mar/2024:${hh}:00:00 +0000] "GET ${path} HTTP/1.1" ${opts.status ?? 200} ${opts.bytes ?? 100} "-" "${UA_FF}"`;
  return opts.host ? `${opts.host}:80 ${l}` : l;
}

export interface Fixture {
  app: App;
  storePath: string;
  tokens: { a: string; b: string; operator: string };
  /** Customer a owns SITE_A, customer b owns SITE_B. */
  close(): Promise<void>;
}

export const SITE_A = 'www.a.example';
export const SITE_B = 'www.b.example';

async function cli(args: string[]): Promise<string> {
  const r = await weblog(args);
  if (r.code !== 0) throw new Error(`weblog ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function lastLine(stdout: string): string {
  const lines = stdout.replace(/\n$/, '').split('\n');
  return lines[lines.length - 1]!;
}

/**
 * Store with customers a/b, sites, tokens, and data for both sites (ingested with the CLI, so
 * page and API tests read what the CLI wrote).
 */
export async function setup(opts: Partial<ServerOptions> & { withData?: boolean; serveArgs?: string[]; storeOptions?: Partial<OpenStoreOptions> } = {}): Promise<Fixture> {
  const storePath = tempStore();
  await cli(['customer', 'add', 'a', '--store', storePath]);
  await cli(['customer', 'add', 'b', '--store', storePath]);
  await cli(['site', 'add', SITE_A, '--customer', 'a', '--host', 'a.example', '--store', storePath]);
  await cli(['site', 'add', SITE_B, '--customer', 'b', '--store', storePath]);
  const a = lastLine(await cli(['token', 'create', '--customer', 'a', '--store', storePath]));
  const b = lastLine(await cli(['token', 'create', '--customer', 'b', '--store', storePath]));
  const operator = lastLine(await cli(['token', 'create', '--operator', '--store', storePath]));
  if (opts.withData !== false) {
    for (const [site, n] of [
      [SITE_A, 3],
      [SITE_B, 5],
    ] as const) {
      const log = join(dirname(storePath), `${site}.log`);
      const lines: string[] = [];
      for (let d = 1; d <= 3; d++) for (let i = 0; i < n; i++) lines.push(line(`192.0.2.${i + 1}`, d, `/${site}-page-${i}.html`, { hour: 8 + i }));
      writeFileSync(log, `${lines.join('\n')}\n`);
      await cli(['ingest', '--store', storePath, '--site', site, '--format', 'combined', '--quiet', log]);
    }
  }
  const store = await openStore(storePath, { visitTimeoutSec: 1800, ...opts.storeOptions });
  const accounts = openAccountStore(storePath);
  const keys = openFileKeyRing(keyRingPathFor(storePath));
  const { serveArgs, withData: _w, storeOptions: _s, ...rest } = opts;
  const app = await createApp({
    store,
    accounts,
    keys,
    ingestConfig: serveConfig(parseServeArgs(serveArgs ?? ['--format', 'combined'])),
    logger: false,
    now: () => new Date('2024-03-10T12:00:00Z'),
    ...rest,
  });
  return {
    app,
    storePath,
    tokens: { a, b, operator },
    async close() {
      await app.close();
      await keys.close();
      await accounts.close();
      await store.close();
    },
  };
}

/** The few serve flags tests use, as serveConfig's parsed values. */
function parseServeArgs(args: string[]): Parameters<typeof serveConfig>[0] {
  const v: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const k = args[i]!.replace(/^--/, '');
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) v[k] = true;
    else {
      v[k] = next;
      i++;
    }
  }
  return v as Parameters<typeof serveConfig>[0];
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
