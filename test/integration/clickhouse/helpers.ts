/**
 * Where the ClickHouse tests find their servers, and how they run once per server.
 *
 * Two generations side by side (scripts/clickhouse/start.sh):
 *   CLICKHOUSE_URL / CLICKHOUSE_CLUSTER_URLS                 Debian's 18.16 (literal SQL values)
 *   CLICKHOUSE_MODERN_URL / CLICKHOUSE_MODERN_CLUSTER_URLS   26.7 via chdb (bound query parameters)
 * Each configured server is asked for its version at load time, and every test runs once per
 * server with that version in its name. Locally an unset variable skips with a hint; under
 * CI=true an unset variable is a failing test, so CI can never pass by skipping a server. A
 * variable that is set but whose server does not answer always fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';

// The raw-window spool of a ClickHouse store lives under $XDG_DATA_HOME/weblog/raw (store/raw-spool.ts):
// the tests' spools (and those of the weblog processes they start) go to a temporary directory.
process.env.XDG_DATA_HOME ??= mkdtempSync(join(tmpdir(), 'weblog-ch-data-'));

export const IN_CI = process.env.CI === 'true';
export const HINT =
  'start them with `eval "$(scripts/clickhouse/start.sh --cluster)"` (18.16, Debian: apt-get install clickhouse-server) and `eval "$(scripts/clickhouse/start.sh --modern --cluster)"` (26.7)';

/** One single-node server. */
export interface ChServer {
  /** `ClickHouse <version>`: part of every test name. */
  readonly name: string;
  readonly version: string;
  /** The environment variable it came from. */
  readonly env: string;
  /** clickhouse://user:pass@host:port/db */
  readonly url: string;
  /** http://host:port/ of the same server, for raw SQL in tests. */
  readonly http: string;
}

/** Two (or more) servers forming the `weblog_cluster` cluster. */
export interface ChCluster {
  readonly name: string;
  readonly version: string;
  readonly env: string;
  /** http://host:port of every shard. */
  readonly urls: readonly string[];
}

interface Problem {
  readonly env: string;
  readonly message: string;
}

const SINGLE_ENV = ['CLICKHOUSE_URL', 'CLICKHOUSE_MODERN_URL'] as const;
const CLUSTER_ENV = ['CLICKHOUSE_CLUSTER_URLS', 'CLICKHOUSE_MODERN_CLUSTER_URLS'] as const;

/** `SELECT version()` over HTTP with the URL's credentials. */
async function versionOf(url: string): Promise<string> {
  const u = new URL(url);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username) || 'default'}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  const r = await fetch(`http://${u.host}/?query=${encodeURIComponent('SELECT version()')}`, { headers: { Authorization: auth }, signal: AbortSignal.timeout(10_000) });
  const text = (await r.text()).trim();
  if (!r.ok) throw new Error(text.slice(0, 300));
  return text;
}

const problems: Problem[] = [];
const missing: string[] = [];

async function discoverServers(): Promise<ChServer[]> {
  const out: ChServer[] = [];
  for (const env of SINGLE_ENV) {
    const url = process.env[env] ?? '';
    if (url === '') {
      missing.push(env);
      continue;
    }
    try {
      const version = await versionOf(url);
      out.push({ name: `ClickHouse ${version}`, version, env, url, http: `http://${new URL(url).host}/` });
    } catch (e) {
      problems.push({ env, message: `${env}=${url.replace(/\/\/[^@/]*@/, '//***@')} does not answer: ${(e as Error).message}` });
    }
  }
  return out;
}

async function discoverClusters(): Promise<ChCluster[]> {
  const out: ChCluster[] = [];
  for (const env of CLUSTER_ENV) {
    const urls = (process.env[env] ?? '').split(',').filter((x) => x !== '');
    if (urls.length === 0) {
      missing.push(env);
      continue;
    }
    try {
      if (urls.length < 2) throw new Error('needs two shard URLs, comma-separated');
      const versions = await Promise.all(urls.map(versionOf));
      if (new Set(versions).size !== 1) throw new Error(`shards run different versions: ${versions.join(', ')}`);
      out.push({ name: `ClickHouse ${versions[0]}`, version: versions[0]!, env, urls });
    } catch (e) {
      problems.push({ env, message: `${env}=${urls.join(',')}: ${(e as Error).message}` });
    }
  }
  return out;
}

export const SERVERS: readonly ChServer[] = await discoverServers();
export const CLUSTERS: readonly ChCluster[] = await discoverClusters();

/** A fresh database on `server`: `<url>/<prefix>_<random>`. */
export function freshUrl(server: ChServer, prefix = 'weblog_t'): string {
  const u = new URL(server.url);
  u.pathname = `/${prefix}_${randomBytes(5).toString('hex')}`;
  return u.toString();
}

/** Raw SQL over HTTP to `http` (a server's or shard's http://host:port[/]); throws on errors. */
export async function post(http: string, body: string): Promise<string> {
  const r = await fetch(http.endsWith('/') ? http : `${http}/`, { method: 'POST', body });
  const t = await r.text();
  if (!r.ok) throw new Error(t);
  return t;
}

/**
 * Failing tests for what must be there but is not (unset under CI, or set and not answering);
 * locally an unset variable shows up as a skipped test carrying the hint.
 */
function registerProblems(what: string, envs: readonly string[]): void {
  for (const p of problems.filter((x) => envs.includes(x.env))) {
    describe(`${what} (${p.env})`, () => {
      it('has its ClickHouse server', () => {
        throw new Error(`${what}: ${p.message}; ${HINT}`);
      });
    });
  }
  for (const env of missing.filter((e) => envs.includes(e))) {
    if (IN_CI) {
      describe(`${what} (${env})`, () => {
        it('needs a ClickHouse server under CI', () => {
          throw new Error(`${what}: ${env} is not set under CI=true; ${HINT}`);
        });
      });
    } else {
      describe(`${what} (${env})`, () => {
        it.skip(`needs ${env}: ${HINT}`, () => undefined);
      });
    }
  }
}

/** `body` once per configured single server, inside `describe('<what> on ClickHouse <version>')`. */
export function forEachServer(what: string, body: (server: ChServer) => void): void {
  registerProblems(what, SINGLE_ENV);
  for (const s of SERVERS) describe(`${what} on ${s.name}`, () => body(s));
}

/** `body` once per configured 2-shard cluster. */
export function forEachCluster(what: string, body: (cluster: ChCluster) => void): void {
  registerProblems(what, CLUSTER_ENV);
  for (const c of CLUSTERS) describe(`${what} on ${c.name}`, () => body(c));
}
