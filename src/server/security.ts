/**
 * Browser-facing defences: response headers on every reply, and CSRF checks for forms.
 *
 * CSP: scripts, styles, images and event streams only from this origin (one script: live updates
 * of a site's current day; never inline script or style), forms only to this origin, no framing. CSRF: a session's forms carry its secret; the login form
 * (no session yet) uses a double-submit cookie. Both also require a same-origin `Origin` header
 * when the browser sends one. Bearer-token routes need no CSRF check: browsers never attach
 * a bearer token on their own.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appError } from '../core/errors.js';

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const LOGIN_CSRF_COOKIE = 'weblog_login_csrf';

export function isTls(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` with form
    // posts, which the origin check must refuse. Other sites still learn nothing.
    reply.header('referrer-policy', 'same-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'interest-cohort=(), camera=(), microphone=(), geolocation=()');
    if (isTls(request)) reply.header('strict-transport-security', 'max-age=31536000');
    // Weblogs are per customer: no shared cache may keep one.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A browser's Origin (or Referer) must be this server when present; curl sends neither. */
export function checkOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin ?? request.headers.referer;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw appError('ERR_AUTH_CSRF');
  }
  if (host !== request.host) throw appError('ERR_AUTH_CSRF');
}

/** For forms posted within a session. */
export function checkSessionCsrf(request: FastifyRequest, sent: unknown): void {
  checkOrigin(request);
  const want = request.caller?.session?.csrf;
  if (want === undefined || typeof sent !== 'string' || !same(sent, want)) throw appError('ERR_AUTH_CSRF');
}

/** A fresh double-submit value for the login form, set as a cookie and returned for the form field. */
export function issueLoginCsrf(request: FastifyRequest, reply: FastifyReply): string {
  const v = randomBytes(24).toString('base64url');
  reply.setCookie(LOGIN_CSRF_COOKIE, v, { path: '/login', httpOnly: true, sameSite: 'strict', secure: isTls(request) });
  return v;
}

export function checkLoginCsrf(request: FastifyRequest, sent: unknown): void {
  checkOrigin(request);
  const want = request.cookies[LOGIN_CSRF_COOKIE];
  if (want === undefined || typeof sent !== 'string' || !same(sent, want)) throw appError('ERR_AUTH_CSRF');
}
