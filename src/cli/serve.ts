import { dirname, resolve } from 'node:path';
import { rawSpoolDirFor } from '../store/index.js';
import { describePurge } from './purge.js';
import { appError } from '../core/errors.js';
import { FORMAT_NAMES, parseCidr } from '../parse/index.js';
import { type PipelineConfig, readPipelineFile, validatePipeline, VHOST_FORMAT_TYPES } from '../pipeline/index.js';
import { createApp } from '../server/index.js';
import { openAccountStore } from '../store/index.js';
import { defaultStorePath, openKeyRingFor, openStore } from '../store/index.js';
import { intFlag, parse, printHelp } from './args.js';
import type { Command, Io } from './command.js';
import { formatFromFlags, validateFlags } from './flag-config.js';

const help = `Usage: weblog serve [options]

Serve the customer weblog pages, the JSON API and the ingest endpoint (docs/server.md).

  --store LOCATION      SQLite file or clickhouse://user:pass@host:8123/db
                        (default: $WEBLOG_STORE or ~/.local/share/weblog/weblog.db)
  --keys LOCATION       the key ring of HTTP ingests, when kept away from the store (as ingest --keys)
  --accounts PATH       SQLite file with customers, sites and tokens (default: the store file;
                        required with a ClickHouse store)
  --port N              TCP port (default: $WEBLOG_PORT or 8080)
  --host ADDR           address to listen on (default: $WEBLOG_HOST or 127.0.0.1; put nginx/Apache with TLS in front)
  --trust-proxy         a reverse proxy on this machine (loopback) sends X-Forwarded-For/-Proto
                        (default: $WEBLOG_TRUST_PROXY=1)
  --trusted-proxy CIDR  a reverse proxy at this address or CIDR block sends them (repeatable;
                        default: $WEBLOG_TRUSTED_PROXIES, comma-separated). The client is the
                        rightmost X-Forwarded-For address that is not a trusted proxy
  --pipeline FILE       pipeline file whose format, sites, enrichment and privacy settings ingests use
  --format NAME         log format of ingested bodies: ${FORMAT_NAMES.join(' | ')} (default: auto)
  --log-format STRING   an Apache LogFormat or nginx log_format string
  --ip POLICY           full | mask | pseudonym | drop (default: mask)
  --ipv4-prefix N       bits kept by --ip mask for IPv4 (default 24)
  --ipv6-prefix N       bits kept by --ip mask for IPv6 (default 48)
  --user POLICY         full | pseudonym | drop (default: pseudonym)
  --no-geo              no country lookup
  --geo-db PATH         country database (.mmdb; default: bundled DB-IP Lite)
  --accept-unknown-vhosts  POST /ingest keeps lines of vhosts no site claims (default: rejected as no_site)
  --max-body BYTES      largest ingest request body (default 67108864 = 64 MiB; 8x that after gunzip)
  --max-gzip-ratio N    a gzip ingest body may expand N times beyond its first MiB (default 100)
  --body-timeout SEC    an ingest body that sends nothing for SEC seconds while the ingest waits
                        for it is refused with 408, nothing stored (default 60)
  --request-timeout SEC any request must have arrived in full (headers and body) SEC seconds after
                        it began, an ingest's time in the queue included; else 408 (default 300)
  --login-rate N        login attempts per minute and client (default 10)
  --ingest-rate N       ingest requests per minute and client (default 600)
  --session-hours N     web session lifetime (default 12)
  --log-level LEVEL     fatal | error | warn | info | debug (default: $WEBLOG_LOG_LEVEL or info)
  -h, --help            this help

Logs are JSON lines on stdout (pino). SIGTERM/SIGINT: stop accepting, let running ingests
commit, close the store, exit 0.`;

const options = {
  store: { type: 'string' },
  keys: { type: 'string' },
  accounts: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'trust-proxy': { type: 'boolean' },
  'trusted-proxy': { type: 'string', multiple: true },
  pipeline: { type: 'string' },
  format: { type: 'string' },
  'log-format': { type: 'string' },
  ip: { type: 'string' },
  'ipv4-prefix': { type: 'string' },
  'ipv6-prefix': { type: 'string' },
  user: { type: 'string' },
  'no-geo': { type: 'boolean' },
  'geo-db': { type: 'string' },
  'max-body': { type: 'string' },
  'max-gzip-ratio': { type: 'string' },
  'body-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'login-rate': { type: 'string' },
  'ingest-rate': { type: 'string' },
  'session-hours': { type: 'string' },
  'log-level': { type: 'string' },
  'accept-unknown-vhosts': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse<typeof options>>['values'];

/** The ingest settings: a pipeline file (optional) with flags on top, validated like `weblog ingest`. */
export function serveConfig(v: Values): PipelineConfig {
  const base = v.pipeline ? readPipelineFile(v.pipeline) : { source: { type: 'stdin' } };
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return validatePipeline(base, v.pipeline ?? 'command line');
  const obj = base as Record<string, Record<string, unknown>>;
  for (const k of ['format', 'routing', 'enrich', 'privacy']) obj[k] ??= {};
  // Bodies are the input: a file list in the pipeline file does not apply.
  obj.source = { type: 'stdin' };
  const format = formatFromFlags(v.format, v['log-format']);
  if (format !== undefined) obj.format = format;
  // The server decides per request (the URL's site, or each line's vhost against the registered
  // sites), so the pipeline's own routing is never used. It only has to pass validation: vhost
  // routing when the format has a vhost, else a fixed placeholder that no request reaches.
  const fmt = (obj.format as { type?: string }).type ?? 'auto';
  obj.routing = (VHOST_FORMAT_TYPES as readonly string[]).includes(fmt)
    ? { type: 'vhost', unknown: 'accept' }
    : { type: 'fixed', site: 'unused.invalid' };
  const set = (section: string, key: string, value: unknown): void => {
    if (value !== undefined) obj[section]![key] = value;
  };
  set('privacy', 'ip', v.ip);
  set('privacy', 'ipv4Prefix', intFlag('ipv4-prefix', v['ipv4-prefix'], 0, 32));
  set('privacy', 'ipv6Prefix', intFlag('ipv6-prefix', v['ipv6-prefix'], 0, 128));
  set('privacy', 'user', v.user);
  if (v['no-geo']) set('enrich', 'geo', false);
  set('enrich', 'geoDatabase', v['geo-db']);
  return v.pipeline ? validatePipeline(obj, v.pipeline, { baseDir: dirname(resolve(v.pipeline)) }) : validateFlags(obj);
}

function envFlag(s: string | undefined): boolean {
  return s === '1' || s === 'true' || s === 'yes';
}

/** The reverse proxies whose forwarding headers count (docs/server.md): loopback and/or a list. */
export function trustedProxies(v: Values, env: NodeJS.ProcessEnv): string[] {
  const listed = v['trusted-proxy'] ?? (env.WEBLOG_TRUSTED_PROXIES ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const p of listed) {
    if (parseCidr(p) === null) throw appError('ERR_USAGE', `--trusted-proxy must be an IP address or CIDR block like 10.0.0.0/8 (got ${JSON.stringify(p).slice(0, 80)})`);
  }
  const loopback = v['trust-proxy'] ?? envFlag(env.WEBLOG_TRUST_PROXY);
  return [...(loopback ? ['loopback'] : []), ...listed];
}

export const serveCommand: Command = {
  name: 'serve',
  help,
  async run(argv, io: Io) {
    const { values: v, positionals } = parse(argv, options);
    if (v.help) return printHelp(io, help);
    if (positionals.length > 0) throw appError('ERR_USAGE', `unexpected argument "${positionals[0]}"`);
    const port = intFlag('port', v.port ?? io.env.WEBLOG_PORT, 0, 65535) ?? 8080;
    const host = v.host ?? io.env.WEBLOG_HOST ?? '127.0.0.1';
    const config = serveConfig(v);
    const storePath = v.store ?? config.store.path ?? defaultStorePath(io.env);
    const maxBody = intFlag('max-body', v['max-body'], 1, 2 ** 40) ?? 0;
    const limits = {
      ...(v['max-body'] !== undefined ? { maxBodyBytes: maxBody, maxDecodedBytes: maxBody * 8 } : {}),
      ...(v['login-rate'] !== undefined ? { loginPerMinute: intFlag('login-rate', v['login-rate'], 1, 1_000_000)! } : {}),
      ...(v['ingest-rate'] !== undefined ? { ingestPerMinute: intFlag('ingest-rate', v['ingest-rate'], 1, 1_000_000)! } : {}),
      ...(v['max-gzip-ratio'] !== undefined ? { maxGzipRatio: intFlag('max-gzip-ratio', v['max-gzip-ratio'], 2, 1_000_000)! } : {}),
      ...(v['body-timeout'] !== undefined ? { bodyIdleTimeoutMs: intFlag('body-timeout', v['body-timeout'], 1, 86_400)! * 1000 } : {}),
      ...(v['request-timeout'] !== undefined ? { requestTimeoutMs: intFlag('request-timeout', v['request-timeout'], 1, 86_400)! * 1000 } : {}),
    };
    const sessionHours = intFlag('session-hours', v['session-hours'], 1, 24 * 90) ?? 12;
    const proxies = trustedProxies(v, io.env);

    const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(storePath);
    if (isUrl && v.accounts === undefined) throw appError('ERR_USAGE', '--accounts PATH is required with a ClickHouse store (accounts live in a SQLite file)');
    const store = await openStore(storePath, { visitTimeoutSec: config.metrics.visitTimeoutMinutes * 60 });
    const accounts = openAccountStore(v.accounts ?? storePath);
    const keys = await openKeyRingFor(storePath, v.keys !== undefined ? { keys: v.keys } : {});
    const closeAll = async (): Promise<void> => {
      await keys.close();
      await accounts.close();
      await store.close();
    };
    let app;
    try {
      app = await createApp({
        store,
        accounts,
        keys,
        rawDir: rawSpoolDirFor(storePath),
        ingestConfig: config,
        acceptUnknownVhosts: v['accept-unknown-vhosts'] ?? false,
        limits,
        sessionTtlSeconds: sessionHours * 3600,
        trustedProxies: proxies,
        logger: io.stdout,
        logLevel: v['log-level'] ?? io.env.WEBLOG_LOG_LEVEL ?? 'info',
      });
      await app.fastify.listen({ port, host });
    } catch (e) {
      await app?.close().catch(() => undefined);
      await closeAll();
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw appError('ERR_USAGE', `port ${port} on ${host} is in use`);
      throw e;
    }
    const addr = app.fastify.server.address();
    const shown = typeof addr === 'object' && addr !== null ? `${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}` : String(addr);
    io.stderr.write(`weblog serve: listening on http://${shown} (store ${storePath})\n`);
    // The retention rules, at start and hourly, queued with the ingests (docs/privacy.md).
    const purge = (): void => {
      app!.deps.ingest.purge(new Date()).then(
        (r) => {
          if (r.audit.length > 0) io.stderr.write(describePurge(r));
        },
        (e: unknown) => io.stderr.write(`weblog serve: purge failed: ${(e as Error).message}\n`),
      );
    };
    purge();
    const purgeTimer = setInterval(purge, 3_600_000);
    purgeTimer.unref();

    const running = app;
    return new Promise<number>((resolveRun) => {
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) {
          // A second signal: the operator does not want to wait.
          io.stderr.write(`weblog serve: ${signal} again, exiting without waiting\n`);
          process.exit(1);
        }
        stopping = true;
        clearInterval(purgeTimer);
        io.stderr.write(`weblog serve: ${signal}, finishing running ingests\n`);
        running
          .close()
          .then(closeAll)
          .then(
            () => {
              io.stderr.write('weblog serve: stopped\n');
              resolveRun(0);
            },
            (e: unknown) => {
              io.stderr.write(`weblog serve: error while stopping: ${(e as Error).message}\n`);
              resolveRun(1);
            },
          )
          .finally(() => {
            process.off('SIGTERM', onTerm);
            process.off('SIGINT', onInt);
          });
      };
      const onTerm = (): void => stop('SIGTERM');
      const onInt = (): void => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
  },
};
