import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { MASK_PRESETS } from '../anonymise/index.js';
import { appError, isAppError } from '../core/errors.js';
import { limitHeapGrowth } from '../core/memory.js';
import type { AttackFlag } from '../detect/index.js';
import { bytesToText } from '../parse/index.js';
import { buildIngest } from '../pipeline/build.js';
import { readPipelineFile, validatePipeline } from '../pipeline/config.js';
import type { PipelineConfig } from '../pipeline/config-schema.js';
import type { IngestSummary, Progress } from '../pipeline/ingest.js';
import { runFollow, runIngest } from '../pipeline/ingest.js';
import { runPurge } from '../pipeline/retention.js';
import { settingsFromConfig } from '../pipeline/settings.js';
import { describePurge, nowFrom } from './purge.js';
import { defaultStorePath, openKeyRingFor, openStore } from '../store/index.js';
import { RawSpool, rawSpoolDirFor } from '../store/raw-spool.js';
import { intFlag, oneOf, parse, printHelp } from './args.js';
import type { Command, Io } from './command.js';

const help = `Usage: weblog ingest [options] [FILE...]

Read access logs (files, rotated .gz files, or stdin when FILE is - or absent), aggregate them
per site and day, and commit the weblog to the store. Files already ingested are skipped; an
interrupted ingest resumes after the last committed line.

Input
  --site SITE            all lines belong to SITE (otherwise: routing by vhost, see --format)
  --format NAME          combined | common | vhost_combined | nginx_combined | xferlog | auto (default: auto)
  --log-format STRING    an Apache LogFormat string, or an nginx log_format string (contains $)
  --pipeline FILE        run a pipeline file (pipelines/*.yaml); the flags below override its fields

Privacy (docs/privacy.md)
  --ip POLICY            full | mask | pseudonym | drop (default: mask)
  --ipv4-prefix N        bits kept by --ip mask for IPv4 (default 24)
  --ipv6-prefix N        bits kept by --ip mask for IPv6 (default 48)
  --user POLICY          full | pseudonym | drop (default: pseudonym)
  --mask-preset NAME     prefixes of a peer: goaccess1 (/24, /64), goaccess2 (/16, /48),
                         goaccess3 (/8, /32), anonip (/20, /44)
  --keep-query           keep URL query strings in the pages list (default: dropped)
  --query-allow NAME     keep this query parameter even when query strings are dropped (repeatable)

Metrics (docs/metrics.md)
  --count-4xx-visitors   count 4xx answers towards unique visitors (GoAccess --4xx-to-unique-count)
  --ignore-crawlers      count crawler hits only as bots (GoAccess --ignore-crawlers)
  --visit-timeout MIN    minutes of inactivity that end a visit (default 30)
  --trusted-proxy CIDR   take the client from X-Forwarded-For when the peer is in CIDR (repeatable)
  --attack-signal        print addresses with bursts of 401/403 or 404 answers (10-minute window)
                         to stderr; kept in memory only, never stored

Enrichment
  --no-geo               no country lookup
  --geo-db PATH          country database (.mmdb; default: bundled DB-IP Lite)
  --no-ua                no browser/OS/device/crawler detection
  --no-referrers         no referrer/search-term classification

Store and run
  --store LOCATION       SQLite file or clickhouse://user:pass@host:8123/db
                         (default: $WEBLOG_STORE or ~/.local/share/weblog/weblog.db)
  --batch-lines N        lines per committed batch (default 200000)
  --workers N|auto       worker threads for parse/enrich/anonymise/aggregate (default 0: the
                         main thread does it; auto: one per CPU core). Workers take whole
                         batches and batches commit in order: the result is the same for any N
                         (docs/operations.md: speed and memory per setting)
  --follow               keep reading the files as they grow, like tail -F (logrotate's
                         rename+create and copytruncate, rotated .1/.gz history read once);
                         runs until SIGINT/SIGTERM (docs/operations.md)
  --commit-interval SEC  with --follow: commit followed lines at least this often (default 2)
  --poll-interval MS     with --follow: stat poll when fs.watch says nothing (default 250)
  --strict               exit 1 when any line was rejected
  --no-purge             do not run the retention rules after the ingest (see weblog purge)
  --now YYYY-MM-DD       the date the retention rules run for (default: today)
  --quiet                no summary on stderr
  -h, --help             this help

SIGINT/SIGTERM stop the ingest at the next line boundary and commit what was read (exit 0); a
second signal ends it at once (nothing is lost for files: the rerun resumes at the checkpoint).

Exit codes: 0 ok (also when lines were rejected; they are reported), 1 runtime failure, 2 usage error.`;

const options = {
  site: { type: 'string' },
  format: { type: 'string' },
  'log-format': { type: 'string' },
  pipeline: { type: 'string' },
  ip: { type: 'string' },
  'ipv4-prefix': { type: 'string' },
  'ipv6-prefix': { type: 'string' },
  user: { type: 'string' },
  'mask-preset': { type: 'string' },
  'keep-query': { type: 'boolean' },
  'query-allow': { type: 'string', multiple: true },
  'count-4xx-visitors': { type: 'boolean' },
  'ignore-crawlers': { type: 'boolean' },
  'visit-timeout': { type: 'string' },
  'trusted-proxy': { type: 'string', multiple: true },
  'attack-signal': { type: 'boolean' },
  'no-geo': { type: 'boolean' },
  'geo-db': { type: 'string' },
  'no-ua': { type: 'boolean' },
  'no-referrers': { type: 'boolean' },
  store: { type: 'string' },
  'batch-lines': { type: 'string' },
  workers: { type: 'string' },
  follow: { type: 'boolean' },
  'commit-interval': { type: 'string' },
  'poll-interval': { type: 'string' },
  strict: { type: 'boolean' },
  'no-purge': { type: 'boolean' },
  now: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse<typeof options>>['values'];

/** Flags become a pipeline-file-shaped object, validated by the same schema as a file. */
function configFrom(v: Values, files: string[]): PipelineConfig {
  const base = v.pipeline ? readPipelineFile(v.pipeline) : { source: { type: 'stdin' } };
  if (base === null || typeof base !== 'object' || Array.isArray(base)) {
    return validatePipeline(base, v.pipeline ?? 'command line');
  }
  const obj = base as Record<string, Record<string, unknown>>;
  for (const k of ['format', 'routing', 'enrich', 'metrics', 'privacy']) obj[k] ??= {};
  if (files.length > 0) obj.source = files.length === 1 && files[0] === '-' ? { type: 'stdin' } : { type: 'file', paths: files };
  if (v['log-format'] !== undefined) {
    obj.format = { type: v['log-format'].includes('$') ? 'nginx' : 'apache', logFormat: v['log-format'] };
  } else if (v.format !== undefined) obj.format = { type: v.format };
  if (v.site !== undefined) obj.routing = { type: 'fixed', site: v.site.toLowerCase() };
  else if (!v.pipeline) obj.routing = { type: 'vhost', unknown: 'accept' };
  const set = (section: string, key: string, value: unknown): void => {
    if (value !== undefined) obj[section]![key] = value;
  };
  set('privacy', 'ip', v.ip);
  if (v['mask-preset'] !== undefined) {
    const preset = MASK_PRESETS[oneOf('mask-preset', v['mask-preset'], Object.keys(MASK_PRESETS))!]!;
    set('privacy', 'ipv4Prefix', preset.ipv4Prefix);
    set('privacy', 'ipv6Prefix', preset.ipv6Prefix);
  }
  set('privacy', 'ipv4Prefix', intFlag('ipv4-prefix', v['ipv4-prefix'], 0, 32));
  set('privacy', 'ipv6Prefix', intFlag('ipv6-prefix', v['ipv6-prefix'], 0, 128));
  set('privacy', 'user', v.user);
  if (v['keep-query']) set('privacy', 'query', 'keep');
  if (v['query-allow']) set('privacy', 'queryAllow', v['query-allow']);
  if (v['count-4xx-visitors']) set('metrics', 'count4xxVisitors', true);
  if (v['ignore-crawlers']) set('metrics', 'ignoreCrawlers', true);
  set('metrics', 'visitTimeoutMinutes', intFlag('visit-timeout', v['visit-timeout'], 1, 24 * 60));
  if (v['trusted-proxy']) set('enrich', 'trustedProxies', v['trusted-proxy']);
  if (v['no-geo']) set('enrich', 'geo', false);
  set('enrich', 'geoDatabase', v['geo-db']);
  if (v['no-ua']) set('enrich', 'ua', false);
  if (v['no-referrers']) set('enrich', 'referrers', false);
  // A site that is named on the command line needs no `sites` entry; the CLI's policy flags win.
  if (v.site !== undefined && obj.sites) delete (obj.sites as Record<string, unknown>)[v.site];
  return v.pipeline ? validatePipeline(obj, v.pipeline, { baseDir: dirname(resolve(v.pipeline)) }) : validatePipeline(obj, 'command line');
}

function progressPrinter(io: Io): (p: Progress) => void {
  const start = Date.now();
  return (p) => {
    const secs = Math.max((Date.now() - start) / 1000, 0.001);
    const mb = (n: number) => (n / 1048576).toFixed(1);
    const of = p.bytesTotal !== null ? `/${mb(p.bytesTotal)}` : '';
    io.stderr.write(`\r\x1b[K${p.source}: ${p.lines.toLocaleString('en')} lines, ${Math.round(p.lines / secs).toLocaleString('en')} lines/s, ${mb(p.bytesRead)}${of} MB`);
  };
}

function formatAttack(f: AttackFlag): string {
  const what = f.kind === 'auth-failures' ? '401/403 answers' : '404 answers';
  const t = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  return `attack-signal: ${f.kind} from ${bytesToText(f.ip)}: ${f.count} ${what} between ${t(f.from)} and ${t(f.to)}`;
}

export function formatSummary(s: IngestSummary, secs: number): string {
  const lines = [
    `weblog ingest: ${s.lines} lines read, ${s.parsed} counted, ${s.lines - s.parsed} rejected in ${secs.toFixed(2)} s` +
      (s.sites.length > 0 ? `; sites: ${s.sites.slice(0, 10).join(', ')}${s.sites.length > 10 ? ` (+${s.sites.length - 10})` : ''}` : ''),
  ];
  for (const [reason, n] of Object.entries(s.rejected)) {
    const where = s.samples[reason as keyof typeof s.samples] ?? [];
    lines.push(`  rejected ${reason}: ${n} (e.g. ${where.join(', ')})`);
  }
  for (const u of s.unchanged) lines.push(`  ${u}: already ingested, nothing new`);
  return `${lines.join('\n')}\n`;
}

/** Resolves `--workers`: a count (0: none, the main thread runs the line path) or 'auto' (one per core). */
function workerCount(flag: string | undefined, cores: number): number {
  if (flag === undefined) return 0;
  if (flag === 'auto') return Math.max(1, cores);
  const n = Number(flag);
  if (!/^\d+$/.test(flag) || n > 64) throw appError('ERR_USAGE', `--workers takes a number from 0 to 64 or "auto", not "${flag}"`);
  return n;
}

export const ingestCommand: Command = {
  name: 'ingest',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, options);
    if (v.help) return printHelp(io, help);
    const config = configFrom(v, positionals);
    const follow = v.follow === true;
    if (follow && (positionals.length === 0 || positionals.includes('-'))) throw appError('ERR_USAGE', '--follow needs FILE arguments (stdin cannot be followed)');
    const commitIntervalMs = (intFlag('commit-interval', v['commit-interval'], 1, 3600) ?? 2) * 1000;
    const pollMs = intFlag('poll-interval', v['poll-interval'], 10, 60_000) ?? 250;
    const now = nowFrom(v.now);
    const batchLines = intFlag('batch-lines', v['batch-lines'], 1, 10_000_000) ?? 200_000;
    const workers = workerCount(v.workers, availableParallelism());
    limitHeapGrowth();
    const settings = { ...settingsFromConfig(config, batchLines), workers };
    if (settings.routing.type === 'fixed' && settings.routing.site === '') throw appError('ERR_USAGE', '--site must not be empty');
    const storePath = v.store ?? config.store.path ?? defaultStorePath(io.env);
    const store = await openStore(storePath, { visitTimeoutSec: settings.metrics.visitTimeoutMinutes * 60 });
    const keys = await openKeyRingFor(storePath);
    const keepsRaw = settings.rawWindowDays > 0 || [...settings.sites.values()].some((x) => (x.rawWindowDays ?? 0) > 0);
    const rawSpool = keepsRaw ? new RawSpool(rawSpoolDirFor(storePath), await store.rawFiles()) : null;
    const tty = io.stderr.isTTY === true && !v.quiet;
    const built = await buildIngest(settings, store, keys, rawSpool, {
      ...(tty ? { onProgress: progressPrinter(io) } : {}),
      ...(v.quiet ? {} : { onNotice: (m: string) => io.stderr.write(`${tty ? '\r\x1b[K' : ''}${m}\n`) }),
      ...(v['attack-signal'] ? { onAttack: (f: AttackFlag) => io.stderr.write(`${tty ? '\r\x1b[K' : ''}${formatAttack(f)}\n`) } : {}),
    }, now.toISOString().slice(0, 10));
    // A first signal stops at the next line boundary and commits; `once` lets a second one kill.
    const stop = new AbortController();
    const onSignal = (sig: NodeJS.Signals): void => {
      if (!v.quiet) io.stderr.write(`${tty ? '\r\x1b[K' : ''}weblog ingest: ${sig}, committing what was read\n`);
      stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const t0 = process.hrtime.bigint();
    let failed = false;
    try {
      const plan = { ...built.plan, signal: stop.signal };
      const summary = follow ? await runFollow(plan, { pollMs, commitIntervalMs, history: true }) : await runIngest(plan);
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      if (tty) io.stderr.write('\r\x1b[K');
      if (!v.quiet) io.stderr.write(formatSummary(summary, secs));
      if (!v['no-purge']) {
        const purged = await runPurge(store, keys, rawSpoolDirFor(storePath), now);
        if (!v.quiet && purged.audit.length > 0) io.stderr.write(describePurge(purged));
      }
      const rejected = summary.lines - summary.parsed;
      if (v.strict && rejected > 0) throw appError('ERR_DATA_REJECTED', rejected, summary.lines);
      return 0;
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await built.close();
      keys.close();
      try {
        await store.close();
      } catch (e) {
        // On a full disk closing fails too (WAL checkpoint); the first error is the one to report.
        if (!failed) throw isAppError(e) ? e : appError('ERR_STORE_WRITE', (e as Error).message);
      }
    }
  },
};
