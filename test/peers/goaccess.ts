/**
 * GoAccess 1.7 as a reference oracle: runs it on a log file and returns its numbers in a shape
 * that is easy to compare with ours. docs/goaccess-notes.md explains every flag used here and
 * GoAccess's counting rules, with the experiments that show them.
 *
 * Test helper only: never imported by src/.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GoAccessDay {
  /** 'YYYY-MM-DD' as written in the log (GoAccess ignores the UTC offset). */
  date: string;
  hits: number;
  visitors: number;
  bytes: number;
}

export interface GoAccessHost {
  hits: number;
  bytes: number;
  visitors: number;
}

export interface GoAccessSummary {
  /** `goaccess --version`, e.g. '1.7'. */
  version: string;
  /** Lines read, blank lines excluded. With ignoreCrawlers, crawler lines are in neither valid nor failed. */
  totalRequests: number;
  validRequests: number;
  failedRequests: number;
  uniqueVisitors: number;
  bandwidth: number;
  /** Sorted by date. */
  days: GoAccessDay[];
  /** Every host (no truncation: see --max-items), keyed by the address as written in the log. */
  hosts: Map<string, GoAccessHost>;
  /**
   * Hits per status code, keyed by the three-digit code as a string. GoAccess 1.7 lumps every code
   * it has no description for (e.g. 103, 218, 299, 420, 530) into one item named 'Unknown'.
   */
  statusCodes: Map<string, number>;
  /** Hits per RFC 2617 user, '-' (no user) left out. From a second run: see `usersValidRequests`. */
  users: Map<string, number>;
  /**
   * Valid requests of the run that produced `users`. COMBINED skips the ident and user fields
   * ("%h %^[" skips to the '['), the users run has to parse them, so a line with a space in its
   * user name or extra tokens before the '[' is valid in the main run but not in the users run.
   * When this differs from `validRequests`, `users` misses those lines.
   */
  usersValidRequests: number;
}

export interface GoAccessOptions {
  /** --4xx-to-unique-count: 4xx hits also make unique visitors. */
  count4xx?: boolean;
  /** --ignore-crawlers: GoAccess's own crawler list decides (docs/goaccess-notes.md). */
  ignoreCrawlers?: boolean;
  /** Executable, default `goaccess` on PATH (or $GOACCESS_BIN). */
  bin?: string;
  /** Skip the second run that reads user names. */
  skipUsers?: boolean;
}

/** COMBINED with the user field parsed (%e) instead of skipped: the remote-user panel needs it. */
export const GOACCESS_USER_FORMAT = '%h %^ %e [%d:%t %^] "%r" %s %b "%R" "%u"';

/**
 * `--max-items` is capped at 366 for the terminal and HTML outputs, but not for JSON: 1.7 accepts
 * any int and prints every item (checked with 200,000 hosts). INT_MAX keeps it well defined.
 */
const MAX_ITEMS = 2147483647;

function goaccessBin(opts?: GoAccessOptions): string {
  return opts?.bin ?? process.env.GOACCESS_BIN ?? 'goaccess';
}

/** The installed version ('1.7'), or null when GoAccess is not installed. Synchronous for describe.skipIf. */
export function goaccessVersion(bin = goaccessBin()): string | null {
  const r = spawnSync(bin, ['--version'], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error !== undefined || r.status !== 0) return null;
  const m = /GoAccess - ([0-9][0-9.]*)/.exec(r.stdout);
  return m?.[1]?.replace(/\.$/, '') ?? 'unknown';
}

/**
 * Arguments for one deterministic, non-interactive JSON run. `-p /dev/null` stops GoAccess from
 * reading ~/.goaccessrc, which `--no-global-config` alone does not; `--num-tests=0` makes it parse a
 * file whose first lines are all invalid instead of exiting with status 1.
 */
export function goaccessArgs(file: string, out: string, opts: GoAccessOptions = {}, users = false): string[] {
  const args = [file, '-o', out, '-p', '/dev/null', '--no-global-config', '--num-tests=0'];
  args.push('--no-progress', '--no-parsing-spinner', `--max-items=${MAX_ITEMS}`);
  if (users) {
    args.push(`--log-format=${GOACCESS_USER_FORMAT}`, '--date-format=%d/%b/%Y', '--time-format=%H:%M:%S');
  } else args.push('--log-format=COMBINED');
  if (opts.count4xx === true) args.push('--4xx-to-unique-count');
  if (opts.ignoreCrawlers === true) args.push('--ignore-crawlers');
  return args;
}

/** Environment for a run: fixed time zone and locale, and an empty HOME as a second guard against ~/.goaccessrc. */
function goaccessEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TZ: 'UTC', LANG: 'C', LC_ALL: 'C' };
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdin must not be a pipe left open: GoAccess would wait on it.
    const child = execFile(bin, args, { env, maxBuffer: 16 << 20, encoding: 'latin1' }, (err, _out, stderr) => {
      if (err) reject(new Error(`goaccess failed (${err.message.split('\n')[0] ?? ''}): ${stderr.slice(-2000)}`));
      else resolve();
    });
    child.stdin?.end();
  });
}

// Minimal view of GoAccess's JSON: only what the summary reads.
interface Metric {
  count: number;
}
interface PanelItem {
  data: string;
  hits: Metric;
  visitors: Metric;
  bytes: Metric;
  items?: PanelItem[];
}
interface Panel {
  metadata?: { data?: { total?: { value?: number } } };
  data: PanelItem[];
}
interface GoAccessJson {
  general: {
    total_requests: number;
    valid_requests: number;
    failed_requests: number;
    unique_visitors: number;
    bandwidth: number;
  };
  visitors?: Panel;
  hosts?: Panel;
  status_codes?: Panel;
  remote_user?: Panel;
}

async function readJson(path: string): Promise<GoAccessJson> {
  // latin1: keys come back as byte strings, the same convention as ParsedLine.
  return JSON.parse(await readFile(path, 'latin1')) as GoAccessJson;
}

function panelItems(json: GoAccessJson, name: 'visitors' | 'hosts' | 'status_codes' | 'remote_user'): PanelItem[] {
  const panel = json[name];
  if (panel === undefined) return [];
  const total = panel.metadata?.data?.total?.value;
  // Status codes are grouped by class, so their top level is not the item count.
  if (name !== 'status_codes' && total !== undefined && total !== panel.data.length) {
    throw new Error(`goaccess truncated the ${name} panel: ${panel.data.length} of ${total} items`);
  }
  return panel.data;
}

/** GoAccess prints visitor dates as YYYYMMDD; anything else (a two-digit year, say) is kept as given. */
function isoDate(d: string): string {
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d;
}

export function summarise(json: GoAccessJson, version: string, usersJson?: GoAccessJson): GoAccessSummary {
  const g = json.general;
  const days = panelItems(json, 'visitors')
    .map((d) => ({ date: isoDate(d.data), hits: d.hits.count, visitors: d.visitors.count, bytes: d.bytes.count }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const hosts = new Map<string, GoAccessHost>();
  for (const h of panelItems(json, 'hosts')) {
    hosts.set(h.data, { hits: h.hits.count, bytes: h.bytes.count, visitors: h.visitors.count });
  }
  const statusCodes = new Map<string, number>();
  for (const cls of panelItems(json, 'status_codes')) {
    for (const item of cls.items ?? []) {
      // "404 - Not Found: …" → '404'; the catch-all item is just "Unknown".
      const key = /^\d{3}\b/.test(item.data) ? item.data.slice(0, 3) : item.data;
      statusCodes.set(key, (statusCodes.get(key) ?? 0) + item.hits.count);
    }
  }
  const users = new Map<string, number>();
  if (usersJson !== undefined) {
    for (const u of panelItems(usersJson, 'remote_user')) if (u.data !== '-') users.set(u.data, u.hits.count);
  }
  return {
    version,
    totalRequests: g.total_requests,
    validRequests: g.valid_requests,
    failedRequests: g.failed_requests,
    uniqueVisitors: g.unique_visitors,
    bandwidth: g.bandwidth,
    days,
    hosts,
    statusCodes,
    users,
    usersValidRequests: usersJson?.general.valid_requests ?? 0,
  };
}

/**
 * Runs GoAccess on `file` (COMBINED format) and returns its numbers, or null when GoAccess is not
 * installed. Two runs: the main one with the stock COMBINED format, and one that also parses
 * the user field for the remote-user panel (COMBINED skips it).
 */
export async function runGoAccess(file: string, opts: GoAccessOptions = {}): Promise<GoAccessSummary | null> {
  const bin = goaccessBin(opts);
  const version = goaccessVersion(bin);
  if (version === null) return null;
  const dir = await mkdtemp(join(tmpdir(), 'weblog-goaccess-'));
  try {
    const env = goaccessEnv(dir);
    const main = join(dir, 'main.json');
    const usersOut = join(dir, 'users.json');
    await Promise.all([
      run(bin, goaccessArgs(file, main, opts), env),
      opts.skipUsers === true ? Promise.resolve() : run(bin, goaccessArgs(file, usersOut, opts, true), env),
    ]);
    const json = await readJson(main);
    const usersJson = opts.skipUsers === true ? undefined : await readJson(usersOut);
    return summarise(json, version, usersJson);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
