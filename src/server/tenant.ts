/**
 * Tenant isolation, in one place. Every route with a `:site` parameter passes through the
 * preHandler below before its handler runs; the handler only ever sees `request.site`, which is
 * a site the caller may see, in canonical spelling. Lists of sites come from `visibleSites`.
 * No route queries the store with a site name it took from the request itself.
 *
 * Matching is exact after ASCII lower-casing (host names are case-insensitive in ASCII only), so
 * percent-encodings, dot segments, Unicode look-alikes or case tricks either name a visible site
 * exactly or get the same 404 as a site that does not exist: no existence leak.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appError } from '../core/errors.js';
import { asciiLower, isSiteName } from '../store/index.js';
import type { Caller, ServerDeps } from './context.js';

/** Sites the caller may read: a customer's own; for operators every assigned site and every site with data. */
export async function visibleSites(caller: Caller, deps: Pick<ServerDeps, 'accounts' | 'store'>): Promise<string[]> {
  const p = caller.principal;
  if (p.role === 'customer') return p.customer === null ? [] : deps.accounts.sitesOf(p.customer);
  const all = new Set([...(await deps.accounts.sites()).map((s) => s.site), ...(await deps.store.sites())]);
  return [...all].sort();
}

/** The canonical site a raw parameter names, when the caller may use it that way; else null. */
export async function resolveSite(
  caller: Caller,
  raw: string,
  scope: 'read' | 'ingest',
  deps: Pick<ServerDeps, 'accounts' | 'store'>,
): Promise<string | null> {
  const name = asciiLower(raw);
  if (!isSiteName(name)) return null;
  // Operators may ingest for a site before it is assigned (as `weblog ingest --site` may).
  if (scope === 'ingest') return caller.principal.role === 'operator' ? name : null;
  return (await visibleSites(caller, deps)).includes(name) ? name : null;
}

function siteParam(request: FastifyRequest): string | undefined {
  const params = request.params as Record<string, unknown> | undefined;
  if (params === undefined || params === null || !Object.hasOwn(params, 'site')) return undefined;
  const v = params.site;
  return typeof v === 'string' ? v : '';
}

export function registerTenantScope(app: FastifyInstance, deps: ServerDeps): void {
  app.decorateRequest('site', '');
  app.addHook('preHandler', async (request) => {
    const raw = siteParam(request);
    if (raw === undefined) return;
    const caller = request.caller;
    // auth.ts already refused anonymous callers on every non-public route; a public route with a
    // :site parameter would be a bug, and it must fail closed.
    if (caller === null) throw appError('ERR_AUTH_REQUIRED');
    const site = await resolveSite(caller, raw, request.routeOptions.config.siteScope ?? 'read', deps);
    if (site === null) throw appError('ERR_SITE_UNKNOWN', raw.slice(0, 100));
    request.site = site;
  });
}
