/**
 * AccountStore on the store's own SQLite file (migration 3), through a second connection: the
 * data Store keeps its connection to itself, and WAL lets both read while one writes.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { AppError, appError } from '../../core/errors.js';
import { prepareSqliteFile } from '../../core/private-files.js';
import {
  checkCustomerId,
  checkSiteName,
  checkToken,
  hashToken,
  loadTokenKey,
  newTokenParts,
  sessionIdHash,
  splitToken,
  tokenKeyPathFor,
  type AccountStore,
  type NewToken,
  type Principal,
  type Role,
  type Session,
  type SiteAccount,
  type TokenInfo,
} from '../accounts.js';
import { migrate } from './sqlite-store.js';

interface TokenRow {
  id: string;
  role: Role;
  customer_id: string | null;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

export function openSqliteAccounts(path: string): AccountStore {
  let db: Database.Database;
  let tokenKey: Buffer;
  try {
    prepareSqliteFile(path);
    db = new Database(path);
    db.pragma('busy_timeout = 10000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('secure_delete = ON');
    db.pragma('foreign_keys = ON');
    migrate(db);
    tokenKey = loadTokenKey(tokenKeyPathFor(path));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw appError('ERR_STORE_OPEN', path, (e as Error).message);
  }
  return new SqliteAccounts(db, tokenKey);
}

class SqliteAccounts implements AccountStore {
  readonly #db: Database.Database;
  readonly #tokenKey: Buffer;
  readonly #st;

  constructor(db: Database.Database, tokenKey: Buffer) {
    this.#db = db;
    this.#tokenKey = tokenKey;
    const p = <T = unknown>(sql: string) => db.prepare<unknown[], T>(sql);
    this.#st = {
      customerAdd: p('INSERT INTO customer (id, created_at) VALUES (?, ?)'),
      customerGet: p<{ id: string }>('SELECT id FROM customer WHERE id = ?'),
      customers: p<{ id: string }>('SELECT id FROM customer ORDER BY id'),
      ownerGet: p<{ customer_id: string }>('SELECT customer_id FROM site_owner WHERE site = ?'),
      ownerAdd: p('INSERT INTO site_owner (site, customer_id, created_at) VALUES (?, ?, ?)'),
      hostGet: p<{ site: string }>('SELECT site FROM site_host WHERE host = ?'),
      hostAdd: p('INSERT OR IGNORE INTO site_host (host, site) VALUES (?, ?)'),
      sites: p<{ site: string; customer_id: string }>('SELECT site, customer_id FROM site_owner ORDER BY site'),
      hosts: p<{ host: string; site: string }>('SELECT host, site FROM site_host ORDER BY host'),
      sitesOf: p<{ site: string }>('SELECT site FROM site_owner WHERE customer_id = ? ORDER BY site'),
      tokenAdd: p('INSERT INTO token (id, role, customer_id, hash, created_at) VALUES (?, ?, ?, ?, ?)'),
      tokenGet: p<TokenRow>('SELECT id, role, customer_id, hash, created_at, revoked_at FROM token WHERE id = ?'),
      tokens: p<TokenRow>('SELECT id, role, customer_id, hash, created_at, revoked_at FROM token ORDER BY created_at, id'),
      tokenRevoke: p('UPDATE token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      tokenRehash: p('UPDATE token SET hash = ? WHERE id = ? AND hash = ?'),
      sessionAdd: p('INSERT INTO session (id_hash, token_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
      sessionGet: p<{ csrf: string; expires_at: string; token_id: string; role: Role; customer_id: string | null; revoked_at: string | null }>(
        `SELECT s.csrf, s.expires_at, s.token_id, t.role, t.customer_id, t.revoked_at
         FROM session s JOIN token t ON t.id = s.token_id WHERE s.id_hash = ?`,
      ),
      sessionDel: p('DELETE FROM session WHERE id_hash = ?'),
      sessionPurge: p('DELETE FROM session WHERE expires_at <= ?'),
      sessionsOfToken: p('DELETE FROM session WHERE token_id = ?'),
    };
  }

  async addCustomer(id: string): Promise<void> {
    checkCustomerId(id);
    if (this.#st.customerGet.get(id)) throw appError('ERR_ACCOUNT_EXISTS', `customer ${id}`);
    this.#st.customerAdd.run(id, new Date().toISOString());
  }

  async customers(): Promise<string[]> {
    return this.#st.customers.all().map((r) => r.id);
  }

  async addSite(site: string, customer: string, hosts: readonly string[]): Promise<void> {
    const name = checkSiteName(site);
    const extra = [...new Set(hosts.map((h) => checkSiteName(h, 'host')))].filter((h) => h !== name);
    this.#db.transaction(() => {
      if (!this.#st.customerGet.get(customer)) throw appError('ERR_ACCOUNT_UNKNOWN', `customer ${customer}`);
      const owner = this.#st.ownerGet.get(name);
      if (owner && owner.customer_id !== customer) throw appError('ERR_ACCOUNT_CONFLICT', `site ${name} belongs to another customer`);
      // A host name routes to one site only: a second claim would send one customer's hits to another.
      for (const h of [name, ...extra]) {
        const claim = this.#st.hostGet.get(h);
        if (claim && claim.site !== name) throw appError('ERR_ACCOUNT_CONFLICT', `host ${h} belongs to site ${claim.site}`);
        const siteClaim = h !== name ? this.#st.ownerGet.get(h) : undefined;
        if (siteClaim) throw appError('ERR_ACCOUNT_CONFLICT', `host ${h} is itself a site`);
      }
      if (!owner) this.#st.ownerAdd.run(name, customer, new Date().toISOString());
      for (const h of extra) this.#st.hostAdd.run(h, name);
    }).immediate();
  }

  async sites(): Promise<SiteAccount[]> {
    const hosts = new Map<string, string[]>();
    for (const r of this.#st.hosts.all()) {
      const list = hosts.get(r.site) ?? [];
      list.push(r.host);
      hosts.set(r.site, list);
    }
    return this.#st.sites.all().map((r) => ({ site: r.site, customer: r.customer_id, hosts: hosts.get(r.site) ?? [] }));
  }

  async sitesOf(customer: string): Promise<string[]> {
    return this.#st.sitesOf.all(customer).map((r) => r.site);
  }

  async createToken(role: Role, customer: string | null): Promise<NewToken> {
    if ((role === 'customer') !== (customer !== null)) throw appError('ERR_USAGE', 'a customer token needs a customer; an operator token has none');
    if (customer !== null && !this.#st.customerGet.get(customer)) throw appError('ERR_ACCOUNT_UNKNOWN', `customer ${customer}`);
    const t = newTokenParts();
    const hash = hashToken(this.#tokenKey, t.secret);
    this.#st.tokenAdd.run(t.id, role, customer, hash, new Date().toISOString());
    return { id: t.id, token: t.token };
  }

  async verifyToken(token: string): Promise<Principal | null> {
    const parts = splitToken(token);
    const row = parts ? this.#st.tokenGet.get(parts.id) : undefined;
    const usable = row !== undefined && row.revoked_at === null;
    // Always one HMAC: whether an id exists must not show in the response time.
    const ok = await checkToken(this.#tokenKey, parts?.secret ?? '', usable ? row.hash : null);
    if (ok === 'no' || !row) return null;
    if (ok === 'legacy') this.#st.tokenRehash.run(hashToken(this.#tokenKey, parts!.secret), row.id, row.hash);
    return { role: row.role, customer: row.customer_id, tokenId: row.id };
  }

  async revokeToken(id: string): Promise<boolean> {
    return this.#db.transaction(() => {
      const n = this.#st.tokenRevoke.run(new Date().toISOString(), id).changes;
      this.#st.sessionsOfToken.run(id);
      return n > 0;
    })();
  }

  async tokens(): Promise<TokenInfo[]> {
    return this.#st.tokens.all().map((r) => ({ id: r.id, role: r.role, customer: r.customer_id, createdAt: r.created_at, revoked: r.revoked_at !== null }));
  }

  async createSession(principal: Principal, ttlSeconds: number, now = new Date()): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    this.#st.sessionAdd.run(sessionIdHash(id), principal.tokenId, csrf, now.toISOString(), expiresAt);
    return { id, session: { principal, csrf, expiresAt } };
  }

  async session(id: string, now = new Date()): Promise<Session | null> {
    if (id.length !== 43) return null;
    const r = this.#st.sessionGet.get(sessionIdHash(id));
    if (!r || r.revoked_at !== null || r.expires_at <= now.toISOString()) return null;
    return { principal: { role: r.role, customer: r.customer_id, tokenId: r.token_id }, csrf: r.csrf, expiresAt: r.expires_at };
  }

  async deleteSession(id: string): Promise<void> {
    this.#st.sessionDel.run(sessionIdHash(id));
  }

  async purgeSessions(now = new Date()): Promise<number> {
    return this.#st.sessionPurge.run(now.toISOString()).changes;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
