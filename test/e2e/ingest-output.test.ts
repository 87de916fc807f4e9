/**
 * What `weblog ingest` prints (issue 16): one number format everywhere, nouns in the right
 * plural, each notice once, the progress line on a terminal, and what "keys destroyed" means.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { REPO, tempStore, weblog } from '../helpers/cli.js';
import { sleep, startCli, waitFor } from '../reliability/helpers.js';

const SAMPLE = join(REPO, 'fixtures', 'sample-access.log');

/** The CLI in-process with stderr claiming to be a terminal. */
async function onTerminal(args: string[]): Promise<{ code: number; stderr: string }> {
  const out = new PassThrough();
  const err = Object.assign(new PassThrough(), { isTTY: true });
  let stderr = '';
  out.resume();
  err.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await main(args, { stdout: out, stderr: err, env: {} });
  return { code, stderr };
}

function occurrences(text: string, what: string): number {
  return text.split(what).length - 1;
}

describe('ingest output', () => {
  it('writes counts grouped (1,000) in the summary and the notices, and "1 line" in the singular', async () => {
    const store = tempStore();
    const r = await weblog(['ingest', '--store', store, '--site', 's', SAMPLE]);
    expect(r.stderr).toContain('weblog ingest: 2,000 lines read, 1,998 counted, 2 rejected in ');
    expect(r.stderr).toContain(`${SAMPLE}: detected format combined (200 of the first 200 lines parsed)`);
    const one = join(dirname(store), 'one.log');
    writeFileSync(one, `${readFileSync(SAMPLE, 'latin1').split('\n')[0]}\n`, 'latin1');
    const single = await weblog(['ingest', '--store', store, '--site', 's', '--format', 'combined', one]);
    expect(single.stderr).toContain('weblog ingest: 1 line read, 1 counted, 0 rejected');
    expect(single.stderr).not.toMatch(/\b1 lines\b/);
  });

  it('says "already ingested" once', async () => {
    const store = tempStore();
    await weblog(['ingest', '--store', store, '--site', 's', '--quiet', SAMPLE]);
    const again = await weblog(['ingest', '--store', store, '--site', 's', SAMPLE]);
    expect(again.code).toBe(0);
    expect(occurrences(again.stderr, 'already ingested')).toBe(1);
    expect(again.stderr).toContain(`${SAMPLE}: already ingested (2,000 lines), nothing new`);
  });

  it('says "1 key destroyed", and explains destroyed keys on a terminal only', async () => {
    const store = tempStore();
    const log = join(dirname(store), 'day.log');
    // One day in 2024: older than the raw window, so its one key is destroyed right away.
    writeFileSync(log, readFileSync(SAMPLE, 'latin1').split('\n').filter((l) => l.includes('04/Mar/2024')).join('\n'), 'latin1');
    const plain = await weblog(['ingest', '--store', store, '--site', 's', '--now', '2024-06-01', log]);
    expect(plain.stderr).toContain('weblog purge: 0 raw files deleted, 1 key destroyed, 0 sites deleted\n  destroy-keys *: days before 2024-05-25, sites with a 7-day raw window (1 key)\n');
    expect(plain.stderr).not.toContain('Keys destroyed:');
    const store2 = tempStore();
    const tty = await onTerminal(['ingest', '--store', store2, '--site', 's', '--now', '2024-06-01', log]);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain("  Keys destroyed: a day's pseudonym and visitor keys are destroyed once the day is older than the\n  raw window");
    expect(tty.stderr).toContain('A log older than the raw window');
  });

  it('shows progress on a terminal: lines, MiB of the total and the percentage', async () => {
    const tty = await onTerminal(['ingest', '--store', tempStore(), '--site', 's', SAMPLE]);
    expect(tty.code).toBe(0);
    const size = readFileSync(SAMPLE).length;
    const mib = (size / 1048576).toFixed(1);
    // The last progress line of the file, then cleared for the summary.
    expect(tty.stderr).toContain(`\r\x1b[K${SAMPLE}: 2,000 lines, `);
    expect(tty.stderr).toContain(`${mib}/${mib} MiB (100 %)`);
    expect(tty.stderr).not.toMatch(/\bMB\b/);
    // Not on a pipe.
    expect((await weblog(['ingest', '--store', tempStore(), '--site', 's', SAMPLE])).stderr).not.toContain('\x1b[K');
  });

  it('--follow says "resuming after line N" once, however many passes read on', async () => {
    const store = tempStore();
    const log = join(dirname(store), 'access.log');
    const lines = readFileSync(SAMPLE, 'latin1').split('\n');
    writeFileSync(log, `${lines.slice(0, 100).join('\n')}\n`, 'latin1');
    await weblog(['ingest', '--store', store, '--site', 's', '--quiet', '--no-purge', log]);
    appendFileSync(log, `${lines.slice(100, 110).join('\n')}\n`, 'latin1');
    const c = startCli(['ingest', '--follow', '--store', store, '--site', 's', '--commit-interval', '1', '--poll-interval', '50', '--no-purge', log]);
    c.proc.stdin.end();
    try {
      await waitFor('follow to start', () => c.stderr().includes('following 1 file'), 30_000);
      for (let i = 0; i < 3; i++) {
        appendFileSync(log, `${lines.slice(110 + i * 10, 120 + i * 10).join('\n')}\n`, 'latin1');
        await sleep(1300);
      }
      c.proc.kill('SIGTERM');
      expect((await c.done).code, c.stderr()).toBe(0);
    } finally {
      // A failed wait must not leave the follower running after the test.
      if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    }
    expect(c.stderr()).toMatch(/40 lines read, 40 counted/);
    expect(occurrences(c.stderr(), 'resuming after line')).toBe(1);
    expect(c.stderr()).toContain(`${log}: resuming after line 100\n`);
  }, 60_000);
});
