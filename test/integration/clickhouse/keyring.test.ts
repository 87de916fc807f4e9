/**
 * The ClickHouse KeyRing: writers that create the key of a (site, day) at the same moment must
 * end up with the same key, and destroyed keys must be gone for every writer.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/store/clickhouse/keyring.js';
import { openKeyRingFor } from '../../../src/store/index.js';
import { REPO } from '../../helpers/cli.js';
import { CH_URL, freshUrl, requireServer } from './helpers.js';

describe('key winner rule (offline)', () => {
  it('waits until the settle window has passed, then takes the smallest early secret', () => {
    const c = [{ secret: 'b', c: 100 }, { secret: 'a', c: 101 }, { secret: '0', c: 105 }];
    expect(decide(c, 102, 1)).toBeNull();
    expect(decide(c, 103, 1)).toBe('a');
    // A late candidate (after the window) never changes the decision.
    expect(decide(c, 200, 1)).toBe('a');
    expect(decide([], 200, 1)).toBeNull();
  });
});

requireServer('keyring', CH_URL !== '');

/** keyFor in a separate process (its own worker and clock): prints the key as hex. */
function keyInChild(url: string, site: string, day: string): Promise<string> {
  const code = `const { openKeyRingFor } = await import(${JSON.stringify(join(REPO, 'src/store/index.ts'))});
    const k = await openKeyRingFor(${JSON.stringify(url)}); process.stdout.write(Buffer.from(k.keyFor(${JSON.stringify(site)}, ${JSON.stringify(day)}), 'latin1').toString('hex')); k.close();`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, env: { ...process.env, WEBLOG_CH_KEY_SETTLE_S: '1' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b));
    p.stderr.on('data', (b: Buffer) => (err += b));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
  });
}

describe.skipIf(CH_URL === '')('ClickHouse KeyRing', () => {
  it('gives concurrent writers the same key, and destroys keys for all', async () => {
    const url = freshUrl();
    const keys = await Promise.all([0, 1, 2].map(() => keyInChild(url, 'a.example', '2024-05-01')));
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(keys).size).toBe(1);
    process.env.WEBLOG_CH_KEY_SETTLE_S = '0';
    const ring = await openKeyRingFor(url);
    expect(Buffer.from(ring.keyFor('a.example', '2024-05-01'), 'latin1').toString('hex')).toBe(keys[0]);
    expect(ring.keyFor('b.example', '2024-05-01')).not.toBe(ring.keyFor('a.example', '2024-05-01'));
    expect(ring.alive().find((a) => a.site === 'a.example')!.oldest).toBe('2024-04-30');
    // The window created 2024-04-30 … 2024-05-31 for a.example: two of those days are before 05-02.
    expect(ring.destroyBefore('2024-05-02', 'a.example')).toBe(2);
    ring.close();
    const again = await keyInChild(url, 'a.example', '2024-05-01');
    expect(again).not.toBe(keys[0]);
  }, 120_000);
});
