import { createWriteStream, type WriteStream } from 'node:fs';
import {
  createLineFilter,
  DEFAULT_PRIVACY,
  IP_POLICIES,
  MASK_PRESETS,
  USER_POLICIES,
  type FilterLayout,
  type FilterStats,
  type LineFilter,
  type PrivacyPolicy,
} from '../anonymise/index.js';
import { detectFormat } from '../parse/index.js';
import { appError } from '../core/errors.js';
import { intFlag, oneOf, parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog anonymise [options] < access.log > anonymised.log

Rewrite access-log lines with the client IP, the user name, the URL query and the Referer
anonymised by the policy, every other byte unchanged (a drop-in for anonip). For Apache:
  CustomLog "|/usr/bin/weblog anonymise --output /var/log/apache2/access.log" combined
It flushes what it has after every read (so per line when lines arrive one by one), reopens
--output on SIGHUP (for logrotate), and never blocks the web server for long: when --max-buffer
MiB of output are queued it stops reading for at most --max-wait ms; if the output is still
stuck it reads on and drops lines (counted on stderr) until the queue drains.

  --ip POLICY          mask | pseudonym | drop | full (default: mask)
  --ipv4-prefix N      IPv4 bits kept by mask (default 24)
  --ipv6-prefix N      IPv6 bits kept by mask (default 48)
  --mask-preset NAME   goaccess1 | goaccess2 | goaccess3 | anonip (prefixes of those tools)
  --user POLICY        pseudonym | drop | full (default: pseudonym)
  --keep-query         keep query strings (default: dropped from the request and the Referer)
  --query-allow NAME   keep this query parameter (repeatable)
  --format NAME        auto | combined | common | nginx_combined | vhost_combined | vhost_common |
                       xferlog
                       (default: auto, detected from the first lines and said on stderr)
  --unparsed WHAT      a line not in that format: mask every IPv4 and IPv6 address anywhere in
                       it (mask, the default), drop it (drop), or pass it unchanged (pass)
  --site NAME          accepted for compatibility; pseudonyms use a secret that lives only in
                       this process and changes every day
  --output FILE        append to FILE instead of stdout; reopened on SIGHUP
  --max-buffer MIB     output queued before reading pauses (default 64)
  --max-wait MS        longest pause before lines are dropped instead (default 200)
  -h, --help           this help

Pseudonyms are unique-local IPv6 addresses (fdxx:…) so the output still parses; their keys
live only in memory and change daily, so nothing can link them back to an address later.
At the end, stderr says how many lines were not in the format and what was done to them
(counts only, never a value).`;

const FORMATS = ['auto', 'combined', 'common', 'nginx_combined', 'vhost_combined', 'vhost_common', 'xferlog'] as const;
type Format = (typeof FORMATS)[number];
const LAYOUTS: Record<Exclude<Format, 'auto'>, FilterLayout> = {
  combined: 'client-first',
  common: 'client-first',
  nginx_combined: 'client-first',
  vhost_combined: 'vhost-first',
  vhost_common: 'vhost-first',
  xferlog: 'xferlog',
};
/** What happened to the lines the format did not fit: counts only, never a value. */
export function describeUnparsed(s: FilterStats, format: string): string | null {
  if (s.unrecognised === 0) return null;
  const head = `; ${s.unrecognised} not in the ${format} format`;
  if (s.dropped > 0) return `${head}: dropped (--unparsed drop)`;
  if (s.passed > 0) return `${head}: passed through unchanged (--unparsed pass), addresses and all`;
  return `${head}: ${s.fallbackV4} IPv4 and ${s.fallbackV6} IPv6 addresses found anywhere in them rewritten by the --ip policy`;
}

const options = {
  ip: { type: 'string' },
  'ipv4-prefix': { type: 'string' },
  'ipv6-prefix': { type: 'string' },
  'mask-preset': { type: 'string' },
  user: { type: 'string' },
  'keep-query': { type: 'boolean' },
  'query-allow': { type: 'string', multiple: true },
  format: { type: 'string' },
  unparsed: { type: 'string' },
  site: { type: 'string' },
  output: { type: 'string' },
  'max-buffer': { type: 'string' },
  'max-wait': { type: 'string' },
} as const;

export const anonymiseCommand: Command = {
  name: 'anonymise',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, options);
    if (v.help) return printHelp(io, help);
    if (positionals.length > 0) throw appError('ERR_USAGE', 'anonymise reads stdin only; redirect a file into it');
    const preset = v['mask-preset'] === undefined ? undefined : MASK_PRESETS[oneOf('mask-preset', v['mask-preset'], Object.keys(MASK_PRESETS))!];
    const policy: PrivacyPolicy = {
      ip: oneOf('ip', v.ip, IP_POLICIES) ?? DEFAULT_PRIVACY.ip,
      ipv4Prefix: intFlag('ipv4-prefix', v['ipv4-prefix'], 0, 32) ?? preset?.ipv4Prefix ?? DEFAULT_PRIVACY.ipv4Prefix,
      ipv6Prefix: intFlag('ipv6-prefix', v['ipv6-prefix'], 0, 128) ?? preset?.ipv6Prefix ?? DEFAULT_PRIVACY.ipv6Prefix,
      user: oneOf('user', v.user, USER_POLICIES) ?? DEFAULT_PRIVACY.user,
      query: v['keep-query'] ? 'keep' : 'drop',
      queryAllow: v['query-allow'] ?? [],
    };
    const format = oneOf('format', v.format, FORMATS) ?? 'auto';
    const unparsed = oneOf('unparsed', v.unparsed, ['mask', 'drop', 'pass'] as const) ?? 'mask';
    const maxBuffer = (intFlag('max-buffer', v['max-buffer'], 1, 4096) ?? 64) * 1048576;
    const maxWait = intFlag('max-wait', v['max-wait'], 0, 60_000) ?? 200;
    let layoutName = format;
    const makeFilter = (name: Exclude<Format, 'auto'>): LineFilter =>
      createLineFilter({ policy, layout: LAYOUTS[name], unparsed, today: () => new Date().toISOString().slice(0, 10) });
    /** Built from the first complete lines when the format is auto. */
    let filter: LineFilter | null = format === 'auto' ? null : makeFilter(format);
    const filterFor = (lines: Buffer): LineFilter => {
      if (filter !== null) return filter;
      const detected = detectFormat(lines);
      // Caddy's JSON lines have no fixed field layout to mask in place.
      const found = detected !== null && detected.name in LAYOUTS ? (detected as { name: Exclude<Format, 'auto'> }) : null;
      // Not detected: the client-first layout, and every line it does not fit goes to --unparsed.
      layoutName = found?.name ?? 'combined';
      io.stderr.write(found ? `weblog anonymise: detected format ${found.name}\n` : `weblog anonymise: format not detected from the first lines; reading them as combined (--unparsed ${unparsed} for what does not fit)\n`);
      filter = makeFilter(layoutName);
      return filter;
    };

    let out: NodeJS.WritableStream & { writableLength?: number } = io.stdout;
    let file: WriteStream | null = null;
    const openOutput = (): void => {
      const next = createWriteStream(v.output!, { flags: 'a', mode: 0o640 });
      const prev = file;
      file = next;
      out = next;
      prev?.end();
    };
    if (v.output !== undefined) openOutput();
    const onHup = (): void => {
      if (v.output !== undefined) openOutput();
    };
    process.on('SIGHUP', onHup);

    let dropped = 0;
    let lastWarn = 0;
    let failed: Error | null = null;
    /** True while the output is stuck past --max-wait: lines are dropped until it drains. */
    let shedding = false;
    const input = process.stdin;
    const send = (buf: Buffer, lines: number): void => {
      if (buf.length === 0) return;
      const queued = out.writableLength ?? 0;
      if (shedding && queued > maxBuffer / 2) {
        dropped += lines;
        const now = Date.now();
        if (now - lastWarn > 10_000) {
          lastWarn = now;
          io.stderr.write(`weblog anonymise: output is not keeping up; ${dropped} lines dropped so far\n`);
        }
        return;
      }
      shedding = false;
      out.write(buf);
      if (queued + buf.length <= maxBuffer) return;
      // Pause the input so that a fast reader (a file, a benchmark) loses nothing; but a web
      // server writing to us must not wait long: after --max-wait, read on and shed.
      input.pause();
      const target = out;
      const timer = setTimeout(() => {
        shedding = true;
        target.removeListener('drain', onDrain);
        input.resume();
      }, maxWait);
      const onDrain = (): void => {
        clearTimeout(timer);
        input.resume();
      };
      target.once('drain', onDrain);
    };

    let carry: Buffer | null = null;
    await new Promise<void>((resolve) => {
      input.on('data', (chunk: Buffer) => {
        const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
        const last = data.lastIndexOf(10);
        if (last === -1) {
          carry = data;
          return;
        }
        carry = last + 1 < data.length ? Buffer.from(data.subarray(last + 1)) : null;
        const f = filterFor(data.subarray(0, last + 1));
        const before = f.stats.lines;
        const out = f.rewrite(data.subarray(0, last + 1));
        send(out, f.stats.lines - before);
      });
      input.on('end', () => {
        if (carry && carry.length > 0) {
          const rewritten = filterFor(carry).rewrite(Buffer.concat([carry, Buffer.from('\n')]));
          // A dropped last line leaves nothing, not even its line end.
          send(rewritten.subarray(0, Math.max(0, rewritten.length - 1)), 1);
        }
        resolve();
      });
      input.on('error', (e) => {
        failed = e;
        resolve();
      });
    });
    process.off('SIGHUP', onHup);
    await new Promise<void>((resolve) => {
      if (file) (file as WriteStream).end(() => resolve());
      else resolve();
    });
    const summary = filter === null ? null : describeUnparsed(filter.stats, layoutName);
    if (summary !== null || dropped > 0) io.stderr.write(`weblog anonymise: ${filter?.stats.lines ?? 0} lines${summary ?? ''}${dropped > 0 ? `; ${dropped} dropped because the output did not keep up` : ''}\n`);
    if (failed) throw appError('ERR_SOURCE_READ', 'stdin', (failed as Error).message);
    return 0;
  },
};
