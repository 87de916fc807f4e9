/**
 * Who is calling: a bearer token (API, ingest) or a session cookie (browser), resolved once per
 * request in an onRequest hook, then checked against the route's `access`. Unauthenticated →
 * 401, wrong role → 403; both before any handler or tenant lookup runs.
 *
 * A token costs one indexed lookup and one HMAC (store/accounts.ts), so nothing is cached: a
 * revoked token stops working on its next request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appError } from '../core/errors.js';
import type { Caller, ServerDeps } from './context.js';

export const SESSION_COOKIE = 'weblog_session';

function bearer(request: FastifyRequest): string | null | undefined {
  const h = request.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer +([!-~]+) *$/i.exec(h);
  return m ? m[1]! : null;
}

export async function resolveCaller(request: FastifyRequest, deps: ServerDeps): Promise<Caller | null> {
  const b = bearer(request);
  if (b === null) throw appError('ERR_AUTH_REQUIRED');
  if (b !== undefined) {
    const principal = await deps.accounts.verifyToken(b);
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
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    // Unknown routes are 404 for everyone (fastify's not-found handler has no config.access).
    if (request.is404) return;
    const access = request.routeOptions.config.access ?? 'any';
    const caller = await resolveCaller(request, deps).catch((e: unknown) => {
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
