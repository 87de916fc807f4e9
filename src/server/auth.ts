/**
 * Who is calling: a bearer token (API, ingest) or a session cookie (browser), resolved once per
 * request in an onRequest hook, then checked against the route's `access`. Unauthenticated →
 * 401, wrong role → 403; both before any handler or tenant lookup runs.
 *
 * Verified tokens are remembered for a minute under a SHA-256 of the token (never the token):
 * scrypt is deliberately slow, and an API client or log shipper sends its token on every request.
 * A revoked token therefore keeps working for at most that minute.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appError } from '../core/errors.js';
import type { AccountStore, Principal } from '../store/accounts.js';
import type { Caller, ServerDeps } from './context.js';

export const SESSION_COOKIE = 'weblog_session';
const TOKEN_CACHE_MS = 60_000;
const TOKEN_CACHE_MAX = 10_000;

export class TokenVerifier {
  readonly #accounts: AccountStore;
  readonly #cache = new Map<string, { principal: Principal; until: number }>();

  constructor(accounts: AccountStore) {
    this.#accounts = accounts;
  }

  async verify(token: string): Promise<Principal | null> {
    const key = createHash('sha256').update(token).digest('base64url');
    const hit = this.#cache.get(key);
    const now = Date.now();
    if (hit !== undefined && hit.until > now) return hit.principal;
    const principal = await this.#accounts.verifyToken(token);
    if (principal !== null) {
      if (this.#cache.size >= TOKEN_CACHE_MAX) this.#cache.clear();
      this.#cache.set(key, { principal, until: now + TOKEN_CACHE_MS });
    }
    return principal;
  }
}

function bearer(request: FastifyRequest): string | null | undefined {
  const h = request.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer +([!-~]+) *$/i.exec(h);
  return m ? m[1]! : null;
}

export async function resolveCaller(request: FastifyRequest, deps: ServerDeps, verifier: TokenVerifier): Promise<Caller | null> {
  const b = bearer(request);
  if (b === null) throw appError('ERR_AUTH_REQUIRED');
  if (b !== undefined) {
    const principal = await verifier.verify(b);
    if (principal === null) throw appError('ERR_AUTH_REQUIRED');
    return { principal, via: 'token', session: null };
  }
  if (request.routeOptions.config.bearerOnly) return null;
  const sid = request.cookies[SESSION_COOKIE];
  if (sid === undefined || sid === '') return null;
  const s = await deps.accounts.session(sid);
  if (s === null) return null;
  return { principal: s.principal, via: 'session', session: { id: sid, csrf: s.csrf } };
}

export function registerAuth(app: FastifyInstance, deps: ServerDeps): void {
  const verifier = new TokenVerifier(deps.accounts);
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    // Unknown routes are 404 for everyone (fastify's not-found handler has no config.access).
    if (request.is404) return;
    const access = request.routeOptions.config.access ?? 'any';
    const caller = await resolveCaller(request, deps, verifier).catch((e: unknown) => {
      // A public page (login, health) still answers when the credential is bad.
      if (access === 'public') return null;
      throw e;
    });
    request.caller = caller;
    if (access === 'public') return;
    if (caller === null) throw appError('ERR_AUTH_REQUIRED');
    if (access === 'operator' && caller.principal.role !== 'operator') throw appError('ERR_AUTH_FORBIDDEN', 'operator');
  });
}
