/**
 * Bearer tokens are 256-bit random values: they are checked with a keyed SHA-256 (HMAC with the
 * server's token key, kept 0600 beside the accounts) and a constant-time compare, never with
 * scrypt on the request path (issue 13, item 6: every bad token used to cost one scrypt, 32 MiB
 * and ~0.1 s, unauthenticated). Tokens from before keep working: their scrypt hash is checked
 * once and replaced by the HMAC one.
 */
import { scrypt as realScrypt, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { splitToken } from '../../src/store/accounts.js';
import { openAccountStore } from '../../src/store/index.js';
import { tempStore } from '../helpers/cli.js';
import { bearer, setup, type Fixture } from './helpers.js';

const calls = vi.hoisted(() => ({ scrypt: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const m = await importOriginal<typeof import('node:crypto')>();
  const scrypt = ((...args: Parameters<typeof m.scrypt>) => {
    calls.scrypt++;
    return (m.scrypt as (...a: unknown[]) => void)(...args);
  }) as typeof m.scrypt;
  return { ...m, default: { ...m, scrypt }, scrypt };
});

/** The scrypt format of weblog before this change: `scrypt$N$r$p$salt$hash`. */
function oldHash(secret: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    realScrypt(secret, salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (e, k) =>
      e ? reject(e) : resolve(`scrypt$32768$8$1$${salt.toString('base64url')}$${k.toString('base64url')}`),
    ),
  );
}

function hashOf(path: string, id: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT hash FROM token WHERE id = ?').get(id) as { hash: string }).hash;
  } finally {
    db.close();
  }
}

describe('token hashes', () => {
  it('stores a keyed SHA-256 of new tokens, with the key 0600 beside the accounts', async () => {
    const path = tempStore();
    const a = openAccountStore(path);
    await a.addCustomer('acme');
    const t = await a.createToken('customer', 'acme');
    expect(await a.verifyToken(t.token)).toEqual({ role: 'customer', customer: 'acme', tokenId: t.id });
    await a.close();
    expect(hashOf(path, t.id)).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{43}$/);
    expect((statSync(`${path}.token-key`).mode & 0o777).toString(8)).toBe('600');
    // The same key next time: the token still verifies after a reopen.
    const b = openAccountStore(path);
    expect((await b.verifyToken(t.token))?.tokenId).toBe(t.id);
    await b.close();
  });

  it('runs no scrypt for bad, unknown or garbage tokens', async () => {
    const a = openAccountStore(tempStore());
    const t = await a.createToken('operator', null);
    const parts = splitToken(t.token)!;
    const before = calls.scrypt;
    const bad = [
      `wl_${parts.id}.${'A'.repeat(43)}`,
      `wl_${'0'.repeat(16)}.${parts.secret}`,
      'wl_x',
      '',
      `wl_${randomBytes(8).toString('hex')}.${randomBytes(32).toString('base64url')}`,
    ];
    for (const x of bad) expect(await a.verifyToken(x)).toBeNull();
    expect(await a.verifyToken(t.token)).not.toBeNull();
    expect(calls.scrypt - before).toBe(0);
    await a.close();
  });

  it('a token from before (scrypt hash) works, once through scrypt, and is then upgraded', async () => {
    const path = tempStore();
    const a = openAccountStore(path);
    const t = await a.createToken('operator', null);
    await a.close();
    // Rewrite its hash as weblog before this change stored it.
    const db = new Database(path);
    db.prepare('UPDATE token SET hash = ? WHERE id = ?').run(await oldHash(splitToken(t.token)!.secret), t.id);
    db.close();
    const b = openAccountStore(path);
    const before = calls.scrypt;
    expect(await b.verifyToken(t.token)).toEqual({ role: 'operator', customer: null, tokenId: t.id });
    expect(calls.scrypt - before).toBe(1);
    expect(hashOf(path, t.id)).toMatch(/^hmac-sha256\$/);
    expect((await b.verifyToken(t.token))?.tokenId).toBe(t.id);
    expect(await b.verifyToken(`${t.token.slice(0, -1)}${t.token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(calls.scrypt - before).toBe(1);
    await b.close();
  });
});

describe('over HTTP', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await setup({ withData: false });
  });
  afterAll(async () => f?.close());

  it('answers 401 to a burst of garbage bearer tokens without one scrypt, and a revoked token at once', async () => {
    const before = calls.scrypt;
    const res = await Promise.all(
      Array.from({ length: 32 }, () =>
        f.app.fastify.inject({ method: 'GET', url: '/api/sites', headers: bearer(`wl_${randomBytes(8).toString('hex')}.${randomBytes(32).toString('base64url')}`) }),
      ),
    );
    expect(res.map((r) => r.statusCode)).toEqual(res.map(() => 401));
    expect(calls.scrypt - before).toBe(0);
    // No cache of verified tokens is needed any more: revocation takes effect on the next request.
    expect((await f.app.fastify.inject({ method: 'GET', url: '/api/sites', headers: bearer(f.tokens.b) })).statusCode).toBe(200);
    const id = splitToken(f.tokens.b)!.id;
    expect(await f.app.deps.accounts.revokeToken(id)).toBe(true);
    expect((await f.app.fastify.inject({ method: 'GET', url: '/api/sites', headers: bearer(f.tokens.b) })).statusCode).toBe(401);
  });
});
