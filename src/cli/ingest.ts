import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { MASK_PRESETS } from '../anonymise/index.js';
import { appError, isAppError } from '../core/errors.js';
import { limitHeapGrowth } from '../core/memory.js';
import type { AttackFlag } from '../detect/index.js';
import { FORMAT_NAMES, bytesToText } from '../parse/index.js';
import { buildIngest, type IngestInput, type IngestSummary, type PipelineConfig, readPipelineFile, runFollow, runIngest, runPurge, settingsFromConfig, type SiteHosts, validatePipeline, withAccountSites } from '../pipeline/index.js';
import { openAccountStore } from '../store/index.js';
import { isClickHouseUrl, RawSpool, rawSpoolDirFor } from '../store/index.js';
import { describePurge, nowFrom } from './purge.js';
import { defaultStorePath, openKeyRingFor, openStore } from '../store/index.js';
import { intFlag, oneOf, parse, printHelp } from './args.js';
import type { Command } from './command.js';
import { formatFromFlags, validateFlags } from './flag-config.js';
import { count, counted } from '../core/numbers.js';
import { ProgressLine } from './progress.js';
import { describeUndeduplicated, watchLateDays } from './late-days.js';

const help = `Usage: weblog ingest [options] [FILE...]

Read access logs (files, rotated .gz files, or stdin when FILE is - or absent), aggregate them
per site and day, and commit the weblog to the store. Files already ingested are skipped; an
interrupted ingest resumes after the last committed line.

Input
  --site SITE            all lines belong to SITE (otherwise: routing by vhost, see --format)
  --host NAME            another host name of SITE (repeatable): its referrers are internal, and
                         with routing by vhost its lines go to SITE. Sites registered with
                         \`weblog site add SITE --host NAME\` get theirs from the accounts
  --accounts PATH        SQLite file with the accounts whose sites and host names are used
                         (default: the store file; none for a ClickHouse store)
  --format NAME          ${FORMAT_NAMES.join(' | ')} (default: auto)
  --log-format STRING    an Apache LogFormat string, or an nginx log_format string (contains $;
                         may start with escape=json, escape=default or escape=none)
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
  --keys LOCATION        where the pseudonym/visitor secrets live instead of beside the store:
                         clickhouse://user:pass@host:8123/keysdb (shared by every writer that
                         names it) or a file (one writer only); docs/clickhouse.md, Keys
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
  --now YYYY-MM-DD       the day the raw window, key lifetimes and retention rules count from (default: today)
  -q, --quiet            no summary on stderr
  -h, --help             this help

SIGINT/SIGTERM stop the ingest at the next line boundary and commit what was read (exit 0); a
second signal ends it at once (nothing is lost for files: the rerun resumes at the checkpoint).

Exit codes: 0 ok (also when lines were rejected; they are reported), 1 runtime failure or nothing
counted (every line rejected, or a named format that matches none of a file's first lines: then
nothing is stored), 2 usage error.`;

const options = {
  site: { type: 'string' },
  host: { type: 'string', multiple: true },
  accounts: { type: 'string' },
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
  keys: { type: 'string' },
  'batch-lines': { type: 'string' },
  workers: { type: 'string' },
  follow: { type: 'boolean' },
  'commit-interval': { type: 'string' },
  'poll-interval': { type: 'string' },
  strict: { type: 'boolean' },
  'no-purge': { type: 'boolean' },
  now: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
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
  const format = formatFromFlags(v.format, v['log-format']);
  if (format !== undefined) obj.format = format;
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
  if (v.host !== undefined) addHosts(obj, v.host);
  return v.pipeline ? validatePipeline(obj, v.pipeline, { baseDir: dirname(resolve(v.pipeline)) }) : validateFlags(obj);
}

/** `--host NAME…`: host names of the one site of fixed routing (`--site`, or the pipeline's). */
function addHosts(obj: Record<string, Record<string, unknown>>, hosts: readonly string[]): void {
  const routing = obj.routing as { type?: string; site?: unknown };
  const site = routing.type === 'fixed' && typeof routing.site === 'string' ? routing.site.toLowerCase() : null;
  if (site === null) {
    throw appError(
      'ERR_USAGE',
      '--host needs --site: it names other host names of that one site (with routing by vhost, give each site its host names with `weblog site add SITE --host NAME` or in a pipeline file, sites.SITE.hosts)',
    );
  }
  const sites = (obj.sites ??= {}) as Record<string, { hosts?: unknown[] }>;
  const entry = Object.entries(sites).find(([k]) => k.toLowerCase() === site);
  const cur = entry?.[1] ?? {};
  sites[entry?.[0] ?? site] = { ...cur, hosts: [...new Set([...(cur.hosts ?? []), ...hosts.map((h) => h.toLowerCase())])] };
}

/** The sites registered in the accounts, with their host names ([] when there are no accounts). */
async function registeredSites(storePath: string, accountsFlag: string | undefined): Promise<SiteHosts[]> {
  const path = accountsFlag ?? (isClickHouseUrl(storePath) ? null : storePath);
  if (path === null) return [];
  const accounts = openAccountStore(path);
  try {
    return await accounts.sites();
  } finally {
    await accounts.close();
  }
}

/**
 * Inputs that cannot be read are said before the store is opened: a directory is an error (a
 * one-off ingest would fail on it, --follow would wait for it forever); a file that --follow
 * will wait for is a notice, so that a typo does not look like a quiet log.
 */
function checkInputs(inputs: readonly IngestInput[], follow: boolean, notice: (m: string) => void): void {
  for (const { path } of inputs) {
    if (path === '-') continue;
    let st;
    try {
      st = statSync(path);
    } catch {
      if (follow) notice(`${path} does not exist (yet): following it, it is read from the moment it appears`);
      continue;
    }
    if (st.isDirectory()) throw appError('ERR_SOURCE_IS_DIRECTORY', path);
  }
}

function formatAttack(f: AttackFlag): string {
  const what = f.kind === 'auth-failures' ? '401/403 answers' : '404 answers';
  const t = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  return `attack-signal: ${f.kind} from ${bytesToText(f.ip)}: ${f.count} ${what} between ${t(f.from)} and ${t(f.to)}`;
}

export function formatSummary(s: IngestSummary, secs: number): string {
  const rejected = s.lines - s.parsed - s.blank;
  const lines = [
    `weblog ingest: ${counted(s.lines, 'line')} read, ${count(s.parsed)} counted, ${count(rejected)} rejected${s.blank > 0 ? `, ${count(s.blank)} blank skipped` : ''} in ${secs.toFixed(2)} s` +
      (s.sites.length > 0 ? `; sites: ${s.sites.slice(0, 10).join(', ')}${s.sites.length > 10 ? ` (+${count(s.sites.length - 10)})` : ''}` : ''),
  ];
  // Most frequent first (then by name): the same text whatever order threads met them in.
  const reasons = Object.entries(s.rejected).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [reason, n] of reasons) {
    const where = s.samples[reason as keyof typeof s.samples] ?? [];
    lines.push(`  rejected ${reason}: ${count(n)} (e.g. ${where.join(', ')})`);
  }
  // Inputs already ingested, or left to another ingest reading them at the same time, were said
  // as they were met (one notice each), not again here.
  return `${lines.join('\n')}\n`;
}

/**
 * Nothing counted from input that had lines (other than empty ones): the format is wrong, and
 * exit 0 would let a cron job or a typo in --log-format go unnoticed. The lines are still
 * counted and reported as rejected.
 */
export function allRejected(s: IngestSummary): Error | null {
  const rejected = s.lines - s.parsed - s.blank;
  if (s.parsed > 0 || rejected === 0) return null;
  const reasons = Object.entries(s.rejected)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r}: ${count(n)}`)
    .join(', ');
  return appError('ERR_DATA_ALL_REJECTED', counted(rejected, 'line'), reasons);
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
    if (v.accounts !== undefined && !existsSync(v.accounts)) {
      throw appError('ERR_USAGE', `--accounts ${v.accounts}: no such file (accounts are made by \`weblog customer add\` and \`weblog site add\`)`);
    }
    const config = configFrom(v, positionals);
    const follow = v.follow === true;
    if (follow && (positionals.length === 0 || positionals.includes('-'))) throw appError('ERR_USAGE', '--follow needs FILE arguments (stdin cannot be followed)');
    const commitIntervalMs = (intFlag('commit-interval', v['commit-interval'], 1, 3600) ?? 2) * 1000;
    const pollMs = intFlag('poll-interval', v['poll-interval'], 10, 60_000) ?? 250;
    const now = nowFrom(v.now);
    const batchLines = intFlag('batch-lines', v['batch-lines'], 1, 10_000_000) ?? 200_000;
    const workers = workerCount(v.workers, availableParallelism());
    limitHeapGrowth();
    const fromConfig = { ...settingsFromConfig(config, batchLines), workers };
    if (fromConfig.routing.type === 'fixed' && fromConfig.routing.site === '') throw appError('ERR_USAGE', '--site must not be empty');
    const tty = io.stderr.isTTY === true && !v.quiet;
    // Messages between progress lines first clear the progress line.
    const say = (m: string): void => {
      io.stderr.write(`${tty ? '\r\x1b[K' : ''}${m}\n`);
    };
    const notice = v.quiet ? (): void => undefined : say;
    checkInputs(fromConfig.inputs, follow, notice);
    const storePath = v.store ?? config.store.path ?? defaultStorePath(io.env);
    // A first signal stops at the next line boundary and commits; `once` lets a second one kill.
    // Waits on a store or key server still pending a few seconds after it are abandoned.
    const stop = new AbortController();
    const store = await openStore(storePath, { visitTimeoutSec: fromConfig.metrics.visitTimeoutMinutes * 60, signal: stop.signal });
    const settings = withAccountSites(fromConfig, await registeredSites(storePath, v.accounts));
    if (fromConfig.routing.type === 'fixed' && settings.routing.type === 'fixed' && settings.routing.site !== fromConfig.routing.site) {
      notice(`${fromConfig.routing.site} is a host name of site ${settings.routing.site} (weblog site add): its lines are counted there`);
    }
    const keys = await openKeyRingFor(storePath, { ...(v.keys !== undefined ? { keys: v.keys } : {}), signal: stop.signal });
    const keepsRaw = settings.rawWindowDays > 0 || [...settings.sites.values()].some((x) => (x.rawWindowDays ?? 0) > 0);
    const rawSpool = keepsRaw ? await RawSpool.open(rawSpoolDirFor(storePath), () => store.rawFiles()) : null;
    const progress = new ProgressLine();
    const late = watchLateDays(keys);
    const built = await buildIngest(settings, store, late.ring, rawSpool, {
      ...(tty ? { onProgress: (p) => io.stderr.write(`\r\x1b[K${progress.format(p)}`) } : {}),
      ...(v.quiet ? {} : { onNotice: say }),
      ...(v['attack-signal'] ? { onAttack: (f: AttackFlag) => say(formatAttack(f)) } : {}),
    }, now.toISOString().slice(0, 10));
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
      await store.compact();
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      if (tty) io.stderr.write('\r\x1b[K');
      if (!v.quiet) io.stderr.write(formatSummary(summary, secs));
      // Before the purge: it drops this process's keys, and with them what `late` is about.
      if (!v.quiet && late.days.size > 0) for (const m of await describeUndeduplicated(store, late.days)) say(m);
      if (!v['no-purge']) {
        const purged = await runPurge(store, keys, rawSpoolDirFor(storePath), now);
        if (!v.quiet && purged.audit.length > 0) io.stderr.write(describePurge(purged, { explain: io.stderr.isTTY === true }));
      }
      const none = allRejected(summary);
      if (none !== null) throw none;
      const rejected = summary.lines - summary.parsed - summary.blank;
      if (v.strict && rejected > 0) throw appError('ERR_DATA_REJECTED', count(rejected), count(summary.lines));
      return 0;
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await built.close();
      rawSpool?.close();
      await keys.close();
      try {
        await store.close();
      } catch (e) {
        // On a full disk closing fails too (WAL checkpoint); the first error is the one to report.
        if (!failed) throw isAppError(e) ? e : appError('ERR_STORE_WRITE', (e as Error).message);
      }
    }
  },
};
