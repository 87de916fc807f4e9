/**
 * The key ring (src/anonymise/keyring.ts): one secret per day and raw window, a key per site
 * derived from it; days past their window get keys that live only in the process; destroyed
 * secrets are gone from the file's bytes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createMemoryKeyRing, openFileKeyRing, type KeyRequest, type KeyRing } from '../../../src/anonymise/index.js';

const path = (): string => join(mkdtempSync(join(tmpdir(), 'weblog-keys-')), 'w.db.keys');
const TODAY = '2024-03-10';

async function keyOf(ring: KeyRing, r: KeyRequest, today = TODAY): Promise<{ key: string; gen: string }> {
  const [k] = await ring.keysFor([r], today);
  return { key: Buffer.from(k!.key.buffer, k!.key.byteOffset, k!.key.byteLength).toString('hex'), gen: k!.gen };
}

describe('key ring', () => {
  it('a key per site and per day; the same key for the same site, day and window, also after reopening', async () => {
    const p = path();
    const ring = openFileKeyRing(p);
    const a1 = await keyOf(ring, { site: 'a.example', day: '2024-03-09', windowDays: 7 });
    const b1 = await keyOf(ring, { site: 'b.example', day: '2024-03-09', windowDays: 7 });
    const a2 = await keyOf(ring, { site: 'a.example', day: '2024-03-10', windowDays: 7 });
    const a1w30 = await keyOf(ring, { site: 'a.example', day: '2024-03-09', windowDays: 30 });
    expect(new Set([a1.key, b1.key, a2.key, a1w30.key]).size).toBe(4);
    // Sites of one day and window share the secret: one generation.
    expect(a1.gen).toBe(b1.gen);
    expect(a1.gen).not.toBe(a2.gen);
    expect(a1.gen).not.toMatch(/^p:/);
    expect(await keyOf(ring, { site: 'a.example', day: '2024-03-09', windowDays: 7 })).toEqual(a1);
    expect(await ring.alive()).toEqual([
      { windowDays: 7, days: 2, oldest: '2024-03-09' },
      { windowDays: 30, days: 1, oldest: '2024-03-09' },
    ]);
    await ring.close();
    const again = openFileKeyRing(p);
    expect(await keyOf(again, { site: 'a.example', day: '2024-03-09', windowDays: 7 })).toEqual(a1);
    await again.close();
  });

  it('a day already past its raw window gets a key of this process only: never stored, shared within the process', async () => {
    const p = path();
    const ring = openFileKeyRing(p);
    const old = { site: 'a.example', day: '2024-02-01', windowDays: 7 };
    const k = await keyOf(ring, old);
    expect(k.gen).toMatch(/^p:/);
    expect(await keyOf(ring, { ...old, site: 'b.example' })).toMatchObject({ gen: k.gen });
    expect(await keyOf(ring, old)).toEqual(k);
    expect(await ring.alive()).toEqual([]);
    await ring.close();
    const next = openFileKeyRing(p);
    const k2 = await keyOf(next, old);
    expect(k2.key).not.toBe(k.key);
    expect(k2.gen).not.toBe(k.gen);
    await next.close();
  });

  it('a shared host\'s batch: thousands of sites of a current and an expired day in one call, each key as when asked alone, also once the derived keys were dropped', async () => {
    const ring = openFileKeyRing(path());
    const sites = Array.from({ length: 15_000 }, (_, i) => `site${i}.example`);
    const reqs = (day: string): KeyRequest[] => sites.map((site) => ({ site, day, windowDays: 7 }));
    const hex = (k: { key: Uint32Array }): string => Buffer.from(k.key.buffer, k.key.byteOffset, k.key.byteLength).toString('hex');
    const current = await ring.keysFor(reqs('2024-03-09'), TODAY);
    const expired = await ring.keysFor(reqs('2024-02-01'), TODAY);
    // One generation per day for all sites; the expired day's lives in the process only.
    expect(new Set(current.map((k) => k.gen)).size).toBe(1);
    expect(new Set(expired.map((k) => k.gen))).toEqual(new Set([expired[0]!.gen]));
    expect(expired[0]!.gen).toMatch(/^p:/);
    expect(new Set(current.map(hex)).size).toBe(sites.length);
    // 30,000 site-days: more than the ring keeps derived, so these are made again, and equal.
    for (const i of [0, 1, 7_777, 14_999]) {
      expect(await keyOf(ring, { site: sites[i]!, day: '2024-03-09', windowDays: 7 })).toEqual({ key: hex(current[i]!), gen: current[i]!.gen });
      expect(await keyOf(ring, { site: sites[i]!, day: '2024-02-01', windowDays: 7 })).toEqual({ key: hex(expired[i]!), gen: expired[i]!.gen });
    }
    expect(await ring.alive()).toEqual([{ windowDays: 7, days: 1, oldest: '2024-03-09' }]);
    await ring.close();
  });

  it('destroyExpired deletes the stored secrets of days past the window and drops the process-only ones; their bytes leave the file', async () => {
    const p = path();
    const ring = openFileKeyRing(p);
    // Stored while inside the window (on 2024-03-08); past it on 2024-03-10.
    await keyOf(ring, { site: 'a.example', day: '2024-03-02', windowDays: 7 }, '2024-03-08');
    await keyOf(ring, { site: 'a.example', day: '2024-03-09', windowDays: 7 }); // stays
    await keyOf(ring, { site: 'a.example', day: '2024-01-01', windowDays: 7 }); // process only
    const db = new Database(p, { readonly: true });
    const secret = (db.prepare("SELECT secret FROM epoch_secret WHERE day = '2024-03-02'").get() as { secret: Buffer }).secret;
    db.close();
    expect(readFileSync(p).includes(secret)).toBe(true);
    const before = await keyOf(ring, { site: 'a.example', day: '2024-03-02', windowDays: 7 }, '2024-03-08');

    expect(await ring.destroyExpired('2024-03-10')).toEqual([{ windowDays: 7, days: 2, keptFrom: '2024-03-03' }]);
    expect(await ring.alive()).toEqual([{ windowDays: 7, days: 1, oldest: '2024-03-09' }]);
    expect(readFileSync(p).includes(secret)).toBe(false);
    // Asked again as if it were still inside the window: a new secret, not the destroyed one.
    const after = await keyOf(ring, { site: 'a.example', day: '2024-03-02', windowDays: 7 }, '2024-03-08');
    expect(after.key).not.toBe(before.key);
    expect(await ring.destroyExpired('2024-03-10')).toEqual([{ windowDays: 7, days: 1, keptFrom: '2024-03-03' }]);
    expect(await ring.destroyExpired('2024-03-10')).toEqual([]);
    await ring.close();
  });

  it('the memory ring (anonymising filter, tests) keeps keys per site and day and drops expired ones', async () => {
    const ring = createMemoryKeyRing();
    const a = await keyOf(ring, { site: 'a', day: '2024-03-09', windowDays: 0 });
    expect(await keyOf(ring, { site: 'a', day: '2024-03-09', windowDays: 0 })).toEqual(a);
    expect((await keyOf(ring, { site: 'b', day: '2024-03-09', windowDays: 0 })).key).not.toBe(a.key);
    expect(await ring.destroyExpired('2024-03-11')).toEqual([{ windowDays: 0, days: 1, keptFrom: '2024-03-11' }]);
    expect((await keyOf(ring, { site: 'a', day: '2024-03-09', windowDays: 0 })).key).not.toBe(a.key);
    await ring.close();
  });
});
