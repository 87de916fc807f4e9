import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../../src/cli/progress.js';
import { count, counted, duration, mib } from '../../../src/core/numbers.js';

const MiB = 1048576;

describe('numbers in messages', () => {
  it('groups counts, puts nouns in the plural their count needs, and writes MiB', () => {
    expect(count(1_000_000)).toBe('1,000,000');
    expect(count(999)).toBe('999');
    expect(counted(1, 'key')).toBe('1 key');
    expect(counted(0, 'key')).toBe('0 keys');
    expect(counted(2_000, 'line')).toBe('2,000 lines');
    expect(counted(1, 'raw file')).toBe('1 raw file');
    expect(mib(1.5 * MiB)).toBe('1.5');
    expect([duration(42), duration(187), duration(3729)]).toEqual(['42 s', '3:07', '1:02:09']);
  });
});

describe('progress line', () => {
  it('shows MiB of the total, the percentage and an ETA for a file of known size', () => {
    let t = 0;
    const p = new ProgressLine(() => t);
    const first = p.format({ source: 'access.log', lines: 1_000, bytesRead: 0, bytesTotal: 100 * MiB });
    expect(first).toBe('access.log: 1,000 lines, 0.0/100.0 MiB (0 %)');
    t = 2000;
    // 200,000 lines and 20 MiB in 2 s: 100,000 lines/s, 10 MiB/s, 80 MiB left → 8 s.
    expect(p.format({ source: 'access.log', lines: 201_000, bytesRead: 20 * MiB, bytesTotal: 100 * MiB })).toBe(
      'access.log: 201,000 lines, 100,000 lines/s, 20.0/100.0 MiB (20 %), ETA 8 s',
    );
    t = 4000;
    expect(p.format({ source: 'access.log', lines: 401_000, bytesRead: 100 * MiB, bytesTotal: 100 * MiB })).toBe(
      'access.log: 401,000 lines, 100,000 lines/s, 100.0/100.0 MiB (100 %)',
    );
  });

  it('measures rates per input from its first event, so a resumed count does not inflate them', () => {
    let t = 0;
    const p = new ProgressLine(() => t);
    p.format({ source: 'a.log', lines: 10, bytesRead: 10, bytesTotal: 10 });
    t = 1000;
    // b.log resumes after line 5,000,000: its rate counts only what was read since.
    expect(p.format({ source: 'b.log', lines: 5_000_000, bytesRead: 50 * MiB, bytesTotal: 60 * MiB })).toBe('b.log: 5,000,000 lines, 50.0/60.0 MiB (83 %)');
    t = 1500;
    expect(p.format({ source: 'b.log', lines: 5_025_000, bytesRead: 51 * MiB, bytesTotal: 60 * MiB })).toBe(
      'b.log: 5,025,000 lines, 50,000 lines/s, 51.0/60.0 MiB (85 %), ETA 5 s',
    );
  });

  it('averages over the last seconds only', () => {
    let t = 0;
    const p = new ProgressLine(() => t);
    const ev = (lines: number) => p.format({ source: '-', lines, bytesRead: 0, bytesTotal: null });
    ev(0);
    for (let i = 1; i <= 20; i++) {
      t = i * 500;
      // 1,000 lines/s for 5 s, then 10,000 lines/s.
      ev(i <= 10 ? i * 500 : 5_000 + (i - 10) * 5_000);
    }
    expect(ev(55_000)).toBe('-: 55,000 lines, 10,000 lines/s');
  });

  it('shows a running count and lines/s for stdin, which has no size', () => {
    let t = 0;
    const p = new ProgressLine(() => t);
    expect(p.format({ source: '-', lines: 0, bytesRead: 0, bytesTotal: null })).toBe('-: 0 lines');
    t = 500;
    expect(p.format({ source: '-', lines: 1_234, bytesRead: 0, bytesTotal: null })).toBe('-: 1,234 lines, 2,468 lines/s');
  });
});
