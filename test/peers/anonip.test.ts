/**
 * `weblog anonymise --ip mask` must write the same bytes as anonip 1.1 (`anonip -4 N -6 M`, which
 * clears the last N/M bits) when only the address is rewritten. Runs when anonip is installed.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { generateLines } from '../../fixtures/generate.js';
import { weblogProcess } from '../helpers/cli.js';

const installed = spawnSync('anonip', ['--help'], { stdio: 'ignore' }).status === 0;
if (!installed && process.env.CI === 'true') throw new Error('anonip is not installed: CI must install it (.ci/run)');

describe.skipIf(!installed)('agreement with anonip', () => {
  // Well-formed lines: on a line whose first field is not an address anonip re-joins the fields
  // with single spaces, while weblog passes the line through unchanged (docs/privacy.md).
  const input = `${[...generateLines({ lines: 5000, seed: 11, days: 2, malformed: 0 })].join('\n')}\n`;
  for (const [v4, v6] of [
    [24, 48],
    [16, 64],
    [20, 44],
  ] as const) {
    it(`masks like anonip -4 ${32 - v4} -6 ${128 - v6}`, async () => {
      const ref = spawnSync('anonip', ['-4', String(32 - v4), '-6', String(128 - v6)], { input, encoding: 'latin1', maxBuffer: 64 << 20 });
      expect(ref.status).toBe(0);
      const ours = await weblogProcess(['anonymise', '--ipv4-prefix', String(v4), '--ipv6-prefix', String(v6), '--user', 'full', '--keep-query'], input);
      expect(ours.code).toBe(0);
      expect(ours.stdout).toBe(ref.stdout);
    });
  }
});
