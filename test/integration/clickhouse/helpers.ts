/**
 * Where the ClickHouse integration tests find their server: CLICKHOUSE_URL (single node) and
 * CLICKHOUSE_CLUSTER_URLS (two shards). Locally, without them, the tests skip with a hint;
 * under CI=true a missing server is a failure, so CI can never pass by skipping.
 */
import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';

export const CH_URL = process.env.CLICKHOUSE_URL ?? '';
export const CH_CLUSTER = (process.env.CLICKHOUSE_CLUSTER_URLS ?? '').split(',').filter((x) => x !== '');
export const IN_CI = process.env.CI === 'true';
export const HINT = 'start one with `eval "$(scripts/clickhouse/start.sh --cluster)"` (Debian: apt-get install clickhouse-server)';

/** A fresh database on the single node: `<url>/weblog_t_<random>`. */
export function freshUrl(prefix = 'weblog_t'): string {
  const u = new URL(CH_URL);
  u.pathname = `/${prefix}_${randomBytes(5).toString('hex')}`;
  return u.toString();
}

/** Registers a failing test under CI (or a skip notice locally) when `have` is false. */
export function requireServer(what: string, have: boolean): void {
  if (have) return;
  if (IN_CI) {
    describe(`${what} (ClickHouse)`, () => {
      it('needs a ClickHouse server under CI', () => {
        throw new Error(`${what}: no ClickHouse server configured under CI=true; ${HINT}`);
      });
    });
  } else {
    console.warn(`[skip] ${what}: no ClickHouse server; ${HINT}`);
  }
}
