import { describe, expect, it } from 'vitest';
import { VisitorTable } from '../../../src/aggregate/visitor-table.js';

describe('VisitorTable', () => {
  it('counts visits and spans like a Map of {first, last} (random hits, growth, extreme ids)', () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    // 52-bit ids as the anonymiser makes them, plus the extremes.
    const pool = [0, 2 ** 52 - 1, 4294967296, ...Array.from({ length: 5000 }, () => Math.floor(rnd() * 2 ** 52))];
    const table = new VisitorTable(4);
    const ref = new Map<number, { first: number; last: number }>();
    let visits = 0;
    let want = 0;
    for (let i = 0; i < 40_000; i++) {
      const id = pool[Math.floor(rnd() * pool.length)]!;
      const t = 1_700_000_000 + Math.floor(rnd() * 86_400);
      visits += table.hit(id, t, 1800);
      const s = ref.get(id);
      if (s === undefined) {
        ref.set(id, { first: t, last: t });
        want++;
      } else {
        if (t - s.last > 1800) want++;
        if (t > s.last) s.last = t;
        if (t < s.first) s.first = t;
      }
    }
    expect(visits).toBe(want);
    expect(table.size).toBe(ref.size);
    const set = table.toSet();
    const ids = [...ref.keys()].sort((a, b) => a - b);
    expect([...set.ids]).toEqual(ids);
    expect([...set.first]).toEqual(ids.map((id) => ref.get(id)!.first));
    expect([...set.last]).toEqual(ids.map((id) => ref.get(id)!.last));
  });
});
