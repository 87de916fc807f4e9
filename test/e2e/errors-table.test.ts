/**
 * Issue 16's error table, one test per row (the rows about JSON logs, gzip on stdin, binary
 * files, nginx variables and --format foo belong to the parser's tests): what the operator
 * typed, the exit code, and a message in plain words.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/contract.js';
import { REPO, tempStore, weblog, weblogProcess } from '../helpers/cli.js';

const SAMPLE = join(REPO, 'fixtures', 'sample-access.log');
/** combined with one field too many at the end: a typo in --log-format. */
const TYPO_FORMAT = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" %D';

describe('error table (issue 16)', () => {
  it('--fromat combined: "unknown flag --fromat; did you mean --format?"', async () => {
    const r = await weblog(['ingest', '--fromat', 'combined', SAMPLE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error[ERR_USAGE]: unknown flag --fromat; did you mean --format?\n  hint: Run `weblog --help` or `weblog <command> --help`.\n');
    // Every command suggests from its own flags.
    expect((await weblog(['report', '--stie', 's'])).stderr).toMatch(/^error\[ERR_USAGE\]: unknown flag --stie; did you mean --site\?/);
    expect((await weblog(['purge', '--quite'])).stderr).toMatch(/unknown flag --quite; did you mean --quiet\?/);
  });

  it('--top -3: a plain message', async () => {
    const store = tempStore();
    expect((await weblog(['ingest', '--store', store, '--site', 's', '--quiet', SAMPLE])).code).toBe(0);
    const r = await weblog(['report', '--store', store, '--site', 's', '--top', '-3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[ERR_USAGE\]: --top must be a whole number from 0 to 1000000 \(got "-3"\)\n/);
    expect(r.stderr).not.toMatch(/ambiguous/);
  });

  it('--format apache: talks in flags, not pipeline-file fields', async () => {
    for (const [format, want] of [
      ['apache', /--format apache needs --log-format with the LogFormat string of your Apache configuration; for the predefined Apache formats give --format combined, common or vhost_combined/],
      ['nginx', /--format nginx needs --log-format with the log_format string of your nginx configuration; for nginx's default format give --format nginx_combined/],
    ] as const) {
      const r = await weblog(['ingest', '--store', tempStore(), '--site', 's', '--format', format, SAMPLE]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr).not.toMatch(/format\.logFormat|docs\/configuration/);
    }
    // Other flag problems name their flags too, all at once.
    const bad = await weblog(['ingest', '--store', tempStore(), '--ip', 'hash', '--user', 'x', '--site', 's', SAMPLE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error[ERR_USAGE]: --ip must be one of full, mask, pseudonym, drop (got "hash")\n--user must be one of full, pseudonym, drop (got "x")\n');
    const proxy = await weblog(['ingest', '--store', tempStore(), '--trusted-proxy', 'foo', '--site', 's', SAMPLE]);
    expect(proxy.stderr).toMatch(/^error\[ERR_USAGE\]: --trusted-proxy must be an IP address or CIDR block like 10\.0\.0\.0\/8 \(got "foo"\)\n/);
    // Without --site a format without virtual host cannot route.
    const noVhost = await weblog(['ingest', '--store', tempStore(), '--format', 'combined', SAMPLE]);
    expect(noVhost.code).toBe(2);
    expect(noVhost.stderr).toMatch(/without --site every line goes to the site of its virtual host, but --format combined does not log one: give --site SITE/);
  });

  it('a directory: "is a directory", before any store is made', async () => {
    const store = tempStore();
    const dir = join(dirname(store), 'logs');
    mkdirSync(dir);
    for (const extra of [[], ['--follow']]) {
      const r = await weblog(['ingest', '--store', store, '--site', 's', ...extra, dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `error[ERR_SOURCE_IS_DIRECTORY]: ${dir} is a directory, not a log file\n  hint: Name the log files in it, e.g. 'DIR/access.log*' in quotes: weblog expands the pattern and reads the files oldest first.\n`,
      );
    }
    expect(existsSync(store)).toBe(false);
  });

  it('sites --store new.db: "no store yet", and the file is not created', async () => {
    const store = tempStore();
    for (const args of [['sites'], ['report', '--site', 's'], ['retention', 'status'], ['site', 'list'], ['customer', 'list'], ['token', 'list']]) {
      const r = await weblog([...args, '--store', store]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error\\[ERR_STORE_MISSING\\]: no store yet at ${store}: run \`weblog ingest\` first\\n`));
      expect(existsSync(store)).toBe(false);
      expect(existsSync(`${store}.keys`)).toBe(false);
    }
    // WEBLOG_STORE (and the default) are read the same way.
    const viaEnv = await weblog(['sites'], { WEBLOG_STORE: store });
    expect(viaEnv.stderr).toMatch(/ERR_STORE_MISSING/);
  });

  it('--from after the last day with data: an error, as for a reversed range', async () => {
    const store = tempStore();
    await weblog(['ingest', '--store', store, '--site', 's', '--quiet', SAMPLE]); // 2024-03-04 … 2024-03-06
    const cases: [string[], string][] = [
      [['--from', '2024-03-07'], '--from 2024-03-07 is after the last day with data (2024-03-06)'],
      [['--to', '2024-03-03'], '--to 2024-03-03 is before the first day with data (2024-03-04)'],
      [['--from', '2024-03-06', '--to', '2024-03-05'], '--from 2024-03-06 is after --to 2024-03-05'],
    ];
    for (const [range, message] of cases) {
      const r = await weblog(['report', '--store', store, '--site', 's', ...range]);
      expect(r.code, range.join(' ')).toBe(2);
      expect(r.stderr).toBe(`error[ERR_USAGE]: ${message}\n  hint: Run \`weblog --help\` or \`weblog <command> --help\`.\n`);
      expect(r.stdout).toBe('');
    }
    // The last day itself, and a range past the data on both sides, are fine.
    expect((await weblog(['report', '--store', store, '--site', 's', '--from', '2024-03-06', '--format', 'json'])).code).toBe(0);
    const wide = await weblog(['report', '--store', store, '--site', 's', '--from', '2024-01-01', '--to', '2024-12-31', '--format', 'json']);
    expect((JSON.parse(wide.stdout) as Report).totals.hits).toBe(1998);
  });

  it('a --log-format with a typo: exit 1 before anything is stored, and the corrected rerun reads the file', async () => {
    const store = tempStore();
    const r = await weblog(['ingest', '--store', store, '--site', 's', '--log-format', TYPO_FORMAT, SAMPLE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error[ERR_PARSE_NO_MATCH]: none of the first 200 lines of ${SAMPLE} matches format apache:${TYPO_FORMAT} (bad_quote: 200); nothing was stored\n`);
    const fixed = await weblog(['ingest', '--store', store, '--site', 's', '--format', 'combined', SAMPLE]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toMatch(/2,000 lines read, 1,998 counted, 2 rejected/);
  });

  it('every line of a non-empty input rejected: exit 1, with the lines still counted and reported', async () => {
    const store = tempStore();
    const r = await weblogProcess(['ingest', '--store', store, '--site', 's', '--log-format', TYPO_FORMAT, '--no-purge'], readFileSync(SAMPLE));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/weblog ingest: 2,000 lines read, 0 counted, 2,000 rejected in [\d.]+ s\n  rejected bad_quote: 1,998 \(e\.g\. -:1, -:2/);
    expect(r.stderr).toMatch(
      /error\[ERR_DATA_ALL_REJECTED\]: every line was rejected: 2,000 lines, none counted \(bad_quote: 1,998, bad_ip: 1, missing_field: 1\)\n  hint: The lines do not match the log format/,
    );
    const rep = await weblog(['report', '--store', store, '--site', 's', '--format', 'json']);
    expect((JSON.parse(rep.stdout) as Report).rejected.lines).toBe(2000);
    // Only empty lines: nothing to count, not an error.
    const blank = await weblogProcess(['ingest', '--store', tempStore(), '--site', 's', '--format', 'combined', '--no-purge'], '\n\n\n');
    expect(blank.code, blank.stderr).toBe(0);
  });

  it('-q is accepted like --quiet', async () => {
    const store = tempStore();
    const r = await weblog(['ingest', '-q', '--store', store, '--site', 's', SAMPLE]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await weblog(['purge', '-q', '--store', store]))).toEqual({ code: 0, stdout: '', stderr: '' });
    const help = (await weblog(['ingest', '--help'])).stdout;
    expect(help).toContain('-q, --quiet');
  });
});
