/** AccountStore (SQLite) and the account CLI: hashes only, revocation, ownership rules, sessions. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { asciiLower, checkToken, hashToken, splitToken, tokenKeyPathFor } from '../../src/store/accounts.js';
import { openAccountStore } from '../../src/store/index.js';
import { tempStore, weblog } from '../helpers/cli.js';
import { lastLine } from './helpers.js';

describe('AccountStore', () => {
  it('stores tokens only as keyed hashes and verifies them', async () => {
    const path = tempStore();
    const a = openAccountStore(path);
    await a.addCustomer('acme');
    const t1 = await a.createToken('customer', 'acme');
    const t2 = await a.createToken('operator', null);
    expect(await a.verifyToken(t1.token)).toEqual({ role: 'customer', customer: 'acme', tokenId: t1.id });
    expect(await a.verifyToken(t2.token)).toEqual({ role: 'operator', customer: null, tokenId: t2.id });
    const secret = splitToken(t1.token)!.secret;
    // Right id, wrong secret; wrong shape; empty.
    expect(await a.verifyToken(`${t1.token.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await a.verifyToken('wl_x')).toBeNull();
    expect(await a.verifyToken('')).toBeNull();
    await a.close();
    const bytes = readFileSync(path).toString('latin1') + readFileSync(`${path}-wal`, { flag: 'a+' }).toString('latin1');
    expect(bytes).not.toContain(secret);
    expect(bytes).toContain('hmac-sha256$');
    // The key lives beside the accounts, never in them.
    expect(bytes).not.toContain(readFileSync(tokenKeyPathFor(path)).toString('latin1'));
  });

  it('a hash depends on the key: the right secret verifies, another secret or key does not', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const h1 = hashToken(k1, 's3cret');
    expect(h1).not.toBe(hashToken(k2, 's3cret'));
    expect(await checkToken(k1, 's3cret', h1)).toBe('yes');
    expect(await checkToken(k1, 's3creT', h1)).toBe('no');
    expect(await checkToken(k2, 's3cret', h1)).toBe('no');
    expect(await checkToken(k1, 's3cret', null)).toBe('no');
  });

  it('revoking a token ends its sessions', async () => {
    const a = openAccountStore(tempStore());
    await a.addCustomer('c');
    const t = await a.createToken('customer', 'c');
    const p = (await a.verifyToken(t.token))!;
    const { id } = await a.createSession(p, 3600);
    expect((await a.session(id))?.principal.customer).toBe('c');
    expect(await a.revokeToken(t.id)).toBe(true);
    expect(await a.verifyToken(t.token)).toBeNull();
    expect(await a.session(id)).toBeNull();
    await a.close();
  });

  it('sessions expire', async () => {
    const a = openAccountStore(tempStore());
    const t = await a.createToken('operator', null);
    const p = (await a.verifyToken(t.token))!;
    const now = new Date('2024-01-01T00:00:00Z');
    const { id } = await a.createSession(p, 60, now);
    expect(await a.session(id, new Date('2024-01-01T00:00:59Z'))).not.toBeNull();
    expect(await a.session(id, new Date('2024-01-01T00:01:00Z'))).toBeNull();
    expect(await a.purgeSessions(new Date('2024-01-01T00:01:00Z'))).toBe(1);
    await a.close();
  });

  it('a site and each host name belong to one customer', async () => {
    const a = openAccountStore(tempStore());
    await a.addCustomer('a');
    await a.addCustomer('b');
    await a.addSite('WWW.A.example', 'a', ['a.example']);
    await expect(a.addSite('www.a.example', 'b', [])).rejects.toMatchObject({ code: 'ERR_ACCOUNT_CONFLICT' });
    await expect(a.addSite('www.b.example', 'b', ['a.example'])).rejects.toMatchObject({ code: 'ERR_ACCOUNT_CONFLICT' });
    await expect(a.addSite('www.c.example', 'nobody', [])).rejects.toMatchObject({ code: 'ERR_ACCOUNT_UNKNOWN' });
    await expect(a.addSite('bad name!', 'a', [])).rejects.toMatchObject({ code: 'ERR_USAGE' });
    await expect(a.addCustomer('a')).rejects.toMatchObject({ code: 'ERR_ACCOUNT_EXISTS' });
    expect(await a.sitesOf('a')).toEqual(['www.a.example']);
    expect(await a.sitesOf('b')).toEqual([]);
    expect(await a.sites()).toEqual([{ site: 'www.a.example', customer: 'a', hosts: ['a.example'] }]);
    await a.close();
  });

  it('lower-cases ASCII only (the Kelvin sign does not become k)', () => {
    expect(asciiLower('WWW.Example.COM')).toBe('www.example.com');
    expect(asciiLower('\u212a.example')).toBe('\u212a.example');
  });
});

describe('account commands', () => {
  it('customer add, site add, token create: the token alone on the last line, usable once printed', async () => {
    const store = tempStore();
    expect((await weblog(['customer', 'add', 'shop', '--store', store])).code).toBe(0);
    const site = await weblog(['site', 'add', 'shop.example', '--customer', 'shop', '--host', 'www.shop.example', '--contract-end', '2030-12-31', '--store', store]);
    expect(site.code).toBe(0);
    const tok = await weblog(['token', 'create', '--customer', 'shop', '--store', store]);
    expect(tok.code).toBe(0);
    const token = lastLine(tok.stdout);
    expect(token).toMatch(/^wl_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(tok.stdout.endsWith(`\n${token}\n`)).toBe(true);
    const a = openAccountStore(store);
    expect(await a.verifyToken(token)).toMatchObject({ role: 'customer', customer: 'shop' });
    await a.close();
    const list = await weblog(['site', 'list', '--store', store]);
    expect(list.stdout).toBe('shop.example\tshop\twww.shop.example\n');
    const ops = await weblog(['token', 'create', '--operator', '--store', store]);
    expect(lastLine(ops.stdout)).toMatch(/^wl_/);
  });

  it('usage errors exit 2, unknown customers exit 1', async () => {
    const store = tempStore();
    expect((await weblog(['token', 'create', '--store', store])).code).toBe(2);
    expect((await weblog(['token', 'create', '--operator', '--customer', 'x', '--store', store])).code).toBe(2);
    expect((await weblog(['customer', 'add', 'Bad Id', '--store', store])).code).toBe(2);
    expect((await weblog(['site', 'add', 'x.example', '--store', store])).code).toBe(2);
    const r = await weblog(['site', 'add', 'x.example', '--customer', 'ghost', '--store', store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_ACCOUNT_UNKNOWN/);
  });
});
