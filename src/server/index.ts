/** @module server — `weblog serve`: the fastify app (API, ingest, customer pages). */
export { createApp, REDACT } from './app.js';
export type { App } from './app.js';
export { DEFAULT_LIMITS } from './context.js';
export type { ServerOptions, ServerLimits, Caller, Access } from './context.js';
export { visibleSites, resolveSite } from './tenant.js';
