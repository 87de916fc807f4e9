/**
 * Accounts: who may see which site's weblog, and who may ingest. Customers own sites (with their
 * host names); operators (the hosting provider's sysadmins) ingest and administer. Access is by
 * bearer token or by a browser session opened with a token.
 *
 * Secrets are stored only as hashes. A token is `wl_<id>.<secret>`: the id finds the row, and the
 * 256-bit random secret is checked against a keyed SHA-256 (HMAC with the server's token key, a
 * 0600 file beside the accounts) with a constant-time compare. A random 256-bit secret needs no
 * slow hash (there is nothing to brute-force), and a slow one on the request path let anyone
 * without a token burn 32 MiB and 0.1 s of CPU per request (issue 13, item 6). The key makes a
 * copy of the accounts alone useless for checking guesses. Tokens created before carry a salted
 * scrypt hash: it is checked once (one at a time, so it cannot be used to flood the CPU) and
 * replaced by the HMAC one. Session ids are 256-bit random values too: a SHA-256 of one is stored.
 */
import { createHash, createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { appError } from '../core/errors.js';
import { PRIVATE_FILE_MODE, tighten } from '../core/private-files.js';

export type Role = 'customer' | 'operator';

export interface Principal {
  readonly role: Role;
  /** The customer id for role 'customer', null for operators. */
  readonly customer: string | null;
  /** Id of the token that authenticated (directly or through a session). */
  readonly tokenId: string;
}

export interface Session {
  readonly principal: Principal;
  /** Secret that every state-changing form of this session must echo. */
  readonly csrf: string;
  readonly expiresAt: string;
}

export interface SiteAccount {
  readonly site: string;
  readonly customer: string;
  /** Other host names (vhosts) of the site, sorted; the site name itself is not repeated. */
  readonly hosts: readonly string[];
}

export interface NewToken {
  readonly id: string;
  /** The full token. Shown once; only its hash is kept. */
  readonly token: string;
}

export interface TokenInfo {
  readonly id: string;
  readonly role: Role;
  readonly customer: string | null;
  readonly createdAt: string;
  readonly revoked: boolean;
}

export interface AccountStore {
  addCustomer(id: string): Promise<void>;
  customers(): Promise<string[]>;
  /** Assigns a site (and its host names) to a customer; refuses a site another customer owns. */
  addSite(site: string, customer: string, hosts: readonly string[]): Promise<void>;
  /** Every assigned site, sorted by name. */
  sites(): Promise<SiteAccount[]>;
  /** Sites of one customer, sorted. The only query the server's tenant scoping uses. */
  sitesOf(customer: string): Promise<string[]>;
  createToken(role: Role, customer: string | null): Promise<NewToken>;
  /** The principal of a valid, unrevoked token; null otherwise (same time either way). */
  verifyToken(token: string): Promise<Principal | null>;
  revokeToken(id: string): Promise<boolean>;
  tokens(): Promise<TokenInfo[]>;
  /** Opens a session for a verified principal; returns the cookie value (shown once). */
  createSession(principal: Principal, ttlSeconds: number, now?: Date): Promise<{ id: string; session: Session }>;
  /** The session of a cookie value, null when unknown, expired or its token was revoked. */
  session(id: string, now?: Date): Promise<Session | null>;
  deleteSession(id: string): Promise<void>;
  /** Deletes expired sessions; returns how many. */
  purgeSessions(now?: Date): Promise<number>;
  close(): Promise<void>;
}

/** Customer ids: short, lower case, safe in URLs, file names and log lines. */
export const CUSTOMER_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** Site and host names: DNS-like labels, lower case (a name may carry a port-less vhost). */
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

export function checkCustomerId(id: string): string {
  if (!CUSTOMER_ID.test(id)) throw appError('ERR_USAGE', `customer id must be 1-63 of a-z 0-9 . _ - starting with a letter or digit (got ${JSON.stringify(id).slice(0, 80)})`);
  return id;
}

/** Lower-cases ASCII only: `toLowerCase` would fold e.g. the Kelvin sign to `k` and merge names. */
export function asciiLower(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

export function isSiteName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  for (const label of name.split('.')) if (!LABEL.test(label)) return false;
  return true;
}

export function checkSiteName(name: string, what = 'site'): string {
  const n = asciiLower(name);
  if (!isSiteName(n)) throw appError('ERR_USAGE', `${what} must be a host name like www.example.com (got ${JSON.stringify(name).slice(0, 80)})`);
  return n;
}

/** How a token's secret is stored now: `hmac-sha256$<base64url>`. */
const HMAC_PREFIX = 'hmac-sha256$';

export function hashToken(key: Buffer, secret: string): string {
  return `${HMAC_PREFIX}${createHmac('sha256', key).update(secret).digest('base64url')}`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Whether `secret` matches `stored`: 'yes', 'no', or 'legacy' when it matched an old scrypt hash
 * (the caller then stores the HMAC one). `stored` null (no such token): the same HMAC work, 'no'.
 */
export async function checkToken(key: Buffer, secret: string, stored: string | null): Promise<'yes' | 'no' | 'legacy'> {
  const want = hashToken(key, secret);
  if (stored !== null && stored.startsWith('scrypt$')) return (await verifyLegacyScrypt(secret, stored)) ? 'legacy' : 'no';
  return stored !== null && same(want, stored) ? 'yes' : 'no';
}

/** The token key file of an accounts file. */
export function tokenKeyPathFor(accountsPath: string): string {
  return `${accountsPath}.token-key`;
}

const TOKEN_KEY_BYTES = 32;

/** The server's token key: created (32 random bytes, 0600) on first use, read after that. */
export function loadTokenKey(path: string): Buffer {
  // Written beside it and linked into place: a process starting at the same moment never reads
  // a key file that exists but is still empty, and only one key ever wins.
  if (existsSync(path)) tighten(path, PRIVATE_FILE_MODE);
  else {
    const fresh = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
    writeFileSync(fresh, randomBytes(TOKEN_KEY_BYTES), { flag: 'wx', mode: PRIVATE_FILE_MODE });
    try {
      linkSync(fresh, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      tighten(path, PRIVATE_FILE_MODE);
    } finally {
      unlinkSync(fresh);
    }
  }
  const key = readFileSync(path);
  if (key.length !== TOKEN_KEY_BYTES) throw new Error(`${path} is not a token key (${key.length} bytes, want ${TOKEN_KEY_BYTES})`);
  return key;
}

/** Old hashes: `scrypt$N$r$p$salt$hash` (base64url), checked one at a time. */
let legacyTail: Promise<unknown> = Promise.resolve();

function verifyLegacyScrypt(secret: string, stored: string): Promise<boolean> {
  const run = legacyTail.then(async () => {
    const parts = stored.split('$');
    if (parts.length !== 6) return false;
    const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
    const [N, R, P] = [Number(n), Number(r), Number(p)];
    // Only the parameters weblog wrote: a tampered row must not ask for gigabytes.
    if (N !== 32768 || R !== 8 || P !== 1) return false;
    const want = Buffer.from(key, 'base64url');
    const got = await new Promise<Buffer>((resolve, reject) =>
      scryptCb(secret, Buffer.from(salt, 'base64url'), want.length, { N, r: R, p: P, maxmem: 128 * N * R * P + 16 * 1024 * 1024 }, (e, k) =>
        e ? reject(e) : resolve(k),
      ),
    );
    return got.length === want.length && timingSafeEqual(got, want);
  });
  legacyTail = run.catch(() => undefined);
  return run;
}

const TOKEN_PREFIX = 'wl_';
const TOKEN_ID_HEX = 16;

export function newTokenParts(): { id: string; secret: string; token: string } {
  const id = randomBytes(TOKEN_ID_HEX / 2).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `${TOKEN_PREFIX}${id}.${secret}` };
}

/** Splits a token into id and secret; null when it does not have the shape of one. */
export function splitToken(token: string): { id: string; secret: string } | null {
  if (token.length !== TOKEN_PREFIX.length + TOKEN_ID_HEX + 1 + 43 || !token.startsWith(TOKEN_PREFIX)) return null;
  const id = token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + TOKEN_ID_HEX);
  if (!/^[0-9a-f]+$/.test(id) || token.charCodeAt(TOKEN_PREFIX.length + TOKEN_ID_HEX) !== 0x2e) return null;
  const secret = token.slice(TOKEN_PREFIX.length + TOKEN_ID_HEX + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(secret)) return null;
  return { id, secret };
}

export function sessionIdHash(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

