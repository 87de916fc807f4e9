import { describe, expect, it } from 'vitest';
import { WrittenPieces } from '../../../src/store/sqlite/written-pieces.js';

describe('written pieces (what compaction looks at)', () => {
  it('notes a site-day once when it reaches the bound, again after it was compacted and reached it again', () => {
    const w = new WrittenPieces(3);
    for (let i = 0; i < 2; i++) w.add(7, 20240301, 'g');
    w.add(8, 20240301, 'g');
    expect(w.takeDue()).toEqual([]);
    w.add(7, 20240301, 'g');
    expect(w.takeDue()).toEqual([{ site: 7, day: 20240301, gen: 'g' }]);
    expect(w.takeDue()).toEqual([]);
    w.add(7, 20240301, 'g');
    expect(w.takeDue()).toEqual([]);
    w.compacted({ site: 7, day: 20240301, gen: 'g' });
    w.add(7, 20240301, 'g');
    expect(w.takeDue()).toEqual([]);
    w.add(7, 20240301, 'g');
    expect(w.takeDue()).toEqual([{ site: 7, day: 20240301, gen: 'g' }]);
  });

  it('keeps site-days apart per generation, with large site ids and days exact', () => {
    const w = new WrittenPieces(2);
    const big = 2 ** 21 + 5;
    w.add(big, 21051231, 'a');
    w.add(big, 21051231, 'b');
    w.add(1, 19700101, 'a');
    w.add(2, 20240301, 'a');
    expect(w.takeDue()).toEqual([]);
    w.add(big, 21051231, 'a');
    w.add(1, 19700101, 'a');
    expect(w.takeDue()).toEqual([
      { site: big, day: 21051231, gen: 'a' },
      { site: 1, day: 19700101, gen: 'a' },
    ]);
    // A deleted site's site-days are not due any more.
    w.add(big, 21051231, 'b');
    w.forgetSite(big);
    expect(w.takeDue()).toEqual([]);
    // Forgotten counts start again from nothing.
    w.clear();
    w.add(1, 19700101, 'a');
    w.add(1, 19700101, 'a');
    expect(w.takeDue()).toEqual([{ site: 1, day: 19700101, gen: 'a' }]);
  });
});
