/**
 * Accounts: who may see which site's weblog, and who may ingest. Customers own sites (with their
 * host names); operators (the hosting provider's sysadmins) ingest and administer. Access is by
 * bearer token or by a browser session opened with a token.
 *
 * Secrets are stored only as hashes. A token is `wl_<id>.<secret>`: the id finds the row, the
 * secret is checked against a salted scrypt hash with a constant-time compare, so a copy of the
 * store (or of its backups) lets no one in. Session ids are 256-bit random values: a SHA-256 of
 * one is enough to make the stored copy useless (nothing to brute-force), and it keeps every page
 * view from paying scrypt.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { appError } from '../core/errors.js';

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

// scrypt cost: N=2^15, r=8 is the OWASP minimum for scrypt (32 MiB, ~0.1 s); parameters are stored
// with each hash so they can be raised later without invalidating existing tokens.
const SCRYPT = { N: 32768, r: 8, p: 1, keylen: 32 } as const;

function scrypt(secret: string, salt: Buffer, N: number, r: number, p: number, keylen: number): Promise<Buffer> {
  const opts: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(secret, salt, keylen, opts, (e, k) => (e ? reject(e) : resolve(k))));
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keylen);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** A hash of a random secret that no token has: unknown ids cost the same time as known ones. */
let decoy: Promise<string> | undefined;

export async function verifySecret(secret: string, stored: string | null): Promise<boolean> {
  const h = stored ?? (await (decoy ??= hashSecret(randomBytes(32).toString('base64url'))));
  const parts = h.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  const want = Buffer.from(key, 'base64url');
  const got = await scrypt(secret, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p), want.length);
  return timingSafeEqual(got, want) && stored !== null;
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

export { openSqliteAccounts as openAccountStore } from './sqlite/accounts.js';
