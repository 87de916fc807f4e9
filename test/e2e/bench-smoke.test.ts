/**
 * Keeps the benchmark harness working (issue 7): `bench/run.ts --smoke` on 10,000 lines, one
 * run. Timing targets are never asserted here; only that every installed tool ran and weblog's
 * rows are in the table. bin/weblog.js runs the compiled CLI (dist/, built by `npm ci`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const built = existsSync(join(REPO, 'dist', 'cli', 'main.js'));
if (!built && process.env.CI === 'true') throw new Error('dist/ is missing: npm ci builds it (prepare script)');

describe.skipIf(!built)('bench harness smoke run', () => {
  it('runs weblog and the installed peers on a small generated log', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'run.ts'), '--smoke'], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| weblog ingest \| [0-9.]+ \| [0-9.]+ [kM]? \|/);
    expect(r.stdout).toMatch(/\| weblog anonymise \| [0-9.]+ \|/);
    // The hoster rows (issue 11): one vhost_combined file over 500 and 5,000 sites, with CPU time.
    expect(r.stdout).toMatch(/\| weblog ingest, 500 vhosts \| [0-9.]+ \| [0-9.]+ [kM]? \| [0-9.]+ \|/);
    expect(r.stdout).toMatch(/\| weblog ingest, 5,000 vhosts \| [0-9.]+ \| [0-9.]+ [kM]? \| [0-9.]+ \|/);
    expect(r.stdout).toMatch(/\| 5,000 vhosts: wall ≤ 1\.25× one site \| [0-9.]+× \| (met|not met) \|/);
    // The peers of the targets: .ci/run installs them, so under CI they must have run.
    for (const row of ['webalizer, GeoIP on', 'logswan \\(totals, HLL visitors\\)']) {
      const ran = new RegExp(`\\| ${row} \\| [0-9.]+ \\|`);
      if (process.env.CI === 'true') expect(r.stdout).toMatch(ran);
      else expect(r.stdout).toMatch(new RegExp(`\\| ${row} \\| ([0-9.]+|not installed) \\|`));
    }
  }, 300_000);
});
