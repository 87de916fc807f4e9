/**
 * What the routes share: options, the stores, and the request decorations that auth.ts and
 * tenant.ts fill in. Route modules read `request.caller` and `request.site` and nothing else
 * about identity: there is no other way for a handler to learn who asks or for which site.
 */
import type { KeyRing } from '../anonymise/index.js';
import type { PipelineConfig } from '../pipeline/index.js';
import type { AccountStore, Principal, Store } from '../store/index.js';
import type { IngestRunner } from './ingest-runner.js';
import type { LiveFeed } from './live.js';
import type { Metrics } from './metrics.js';

/** Who may call a route. Absent means 'any' (authenticated): a route is closed unless it says otherwise. */
export type Access = 'public' | 'any' | 'operator';

/** How a route's `:site` parameter is checked (tenant.ts). */
export type SiteScope = 'read' | 'ingest';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Errors as an HTML page (browser routes) instead of JSON. */
    html?: boolean;
    /** Only `Authorization: Bearer` counts, never a session cookie (no CSRF surface). */
    bearerOnly?: boolean;
    siteScope?: SiteScope;
  }
  interface FastifyRequest {
    caller: Caller | null;
    /** The `:site` parameter after tenant scoping: a site this caller may see, canonical. */
    site: string;
  }
}

export interface Caller {
  readonly principal: Principal;
  readonly via: 'token' | 'session';
  /** Set when `via` is 'session'. */
  readonly session: { readonly id: string; readonly csrf: string } | null;
}

export interface ServerLimits {
  /** Request body bytes as sent (413 beyond). */
  readonly maxBodyBytes: number;
  /** Bytes after gunzip (413 beyond): a gzip bomb must not pass as a small body. */
  readonly maxDecodedBytes: number;
  readonly loginPerMinute: number;
  readonly ingestPerMinute: number;
  /** Ingests waiting for the store (one writer) before new ones get 503 + Retry-After. */
  readonly maxQueuedIngests: number;
  /** Open "live today" event streams at most (each holds a connection); beyond, 503. */
  readonly maxLiveStreams: number;
  /** A gzip body may expand this many times (beyond its first MiB); log text does 5-30 times. */
  readonly maxGzipRatio: number;
  /** An ingest body that sends no byte for this long while the ingest waits for one: 408. */
  readonly bodyIdleTimeoutMs: number;
  /** Any request, from arrival to its body's last byte (an ingest's queue wait included): 408. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 64 * 1024 * 1024,
  maxDecodedBytes: 512 * 1024 * 1024,
  loginPerMinute: 10,
  ingestPerMinute: 600,
  maxQueuedIngests: 16,
  maxLiveStreams: 500,
  maxGzipRatio: 100,
  bodyIdleTimeoutMs: 60_000,
  requestTimeoutMs: 300_000,
};

export interface ServerOptions {
  readonly store: Store;
  readonly accounts: AccountStore;
  /** Key ring for ingests (the store's `.keys` file). */
  readonly keys: KeyRing;
  /** The store's raw-record window folder (`<store>.raw`); absent: HTTP ingest keeps no raw lines. */
  readonly rawDir?: string;
  /** Validated pipeline settings that ingests run with (format, enrichment, privacy). */
  readonly ingestConfig: PipelineConfig;
  /** POST /ingest: keep lines whose vhost no registered site claims (default: reject as no_site). */
  readonly acceptUnknownVhosts?: boolean;
  readonly limits?: Partial<ServerLimits>;
  readonly sessionTtlSeconds?: number;
  /**
   * Reverse proxies (addresses, CIDR blocks, or `loopback`) whose X-Forwarded-For/-Proto/-Host
   * are believed. The client is the rightmost X-Forwarded-For address that is not one of them
   * (what each proxy appended, never what the client wrote to the left). Empty: none.
   */
  readonly trustedProxies?: readonly string[];
  /** false: no logs; a stream: JSON logs there; true/absent: JSON logs on stdout. */
  readonly logger?: boolean | NodeJS.WritableStream;
  readonly logLevel?: string;
  /** "Today" for the range buttons and the live panel (tests pin it). */
  readonly now?: () => Date;
  /** How often a watched site's day is re-read for commits by other processes (ms, default 10 s). */
  readonly livePollMs?: number;
}

export interface ServerDeps {
  readonly store: Store;
  readonly accounts: AccountStore;
  readonly ingest: IngestRunner;
  readonly metrics: Metrics;
  readonly limits: ServerLimits;
  readonly sessionTtlSeconds: number;
  readonly attribution: readonly string[];
  readonly now: () => Date;
  /** "Live today" event streams, and when this server last ingested data per site. */
  readonly live: LiveFeed;
  /** Set once shutdown begins: ingest answers 503, /readyz fails. */
  readonly state: { closing: boolean };
}
