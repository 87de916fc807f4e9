/** LiveFeed: what wakes a watched site, what is sent, limits and shutdown. */
import { describe, expect, it } from 'vitest';
import type { DayRow } from '../../src/report/contract.js';
import { LiveFeed } from '../../src/server/live.js';

function feed(pollMs = 60_000, maxStreams = 10) {
  const hits = new Map<string, number>();
  const reads: string[] = [];
  const live = new LiveFeed({
    read: async (site, day): Promise<DayRow> => {
      reads.push(site);
      return { date: day, hits: hits.get(site) ?? 0, visitors: 0, visits: 0, pages: 0, bytes: 0 };
    },
    today: () => '2024-03-10',
    pollMs,
    maxStreams,
  });
  return { live, hits, reads };
}

describe('LiveFeed', () => {
  it('sends the day at once, then only when it changed; notify wakes only watched sites', async () => {
    const { live, hits, reads } = feed();
    const got: number[] = [];
    const stop = live.subscribe('a', (d) => got.push(d.hits), () => {})!;
    await expect.poll(() => got).toEqual([0]);
    live.notify(['a']);
    await expect.poll(() => reads.length).toBe(2);
    expect(got).toEqual([0]);
    hits.set('a', 5);
    live.notify(['a', 'b']);
    await expect.poll(() => got).toEqual([0, 5]);
    expect(reads.filter((s) => s === 'b')).toEqual([]);
    expect(live.lastIngest.has('b')).toBe(true);
    stop();
    expect(live.streams).toBe(0);
  });

  it('polls watched sites for commits made by other processes', async () => {
    const { live, hits } = feed(20);
    const got: number[] = [];
    const stop = live.subscribe('a', (d) => got.push(d.hits), () => {})!;
    await expect.poll(() => got).toEqual([0]);
    hits.set('a', 3);
    await expect.poll(() => got).toEqual([0, 3]);
    stop();
  });

  it('refuses streams over the limit, and ends every stream on close', async () => {
    const { live } = feed(60_000, 2);
    const ended: string[] = [];
    expect(live.subscribe('a', () => {}, () => ended.push('1'))).not.toBeNull();
    expect(live.subscribe('b', () => {}, () => ended.push('2'))).not.toBeNull();
    expect(live.subscribe('c', () => {}, () => ended.push('3'))).toBeNull();
    live.close();
    expect(ended.sort()).toEqual(['1', '2']);
    expect(live.subscribe('a', () => {}, () => {})).toBeNull();
  });
});
