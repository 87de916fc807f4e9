import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { visitorSetOf, type VisitorSet } from '../../../src/aggregate/delta.js';
import { countVisitors, mergeVisitors } from '../../../src/aggregate/visitor-state.js';

const spans = (entries: [number, number, number][]): VisitorSet => visitorSetOf(new Map(entries.map(([id, first, last]) => [id, { first, last }])));

describe('visitor state merge', () => {
  it('counts only visitors that are new to the day', () => {
    const a = mergeVisitors(null, spans([[1, 100, 200], [2, 100, 100]]), 1800);
    expect(a.newVisitors).toBe(2);
    const b = mergeVisitors(a.blob, spans([[2, 300, 400], [3, 300, 300]]), 1800);
    expect(b.newVisitors).toBe(1);
    expect(b.total).toBe(3);
    expect(countVisitors(b.blob)).toBe(3);
  });

  it('treats a batch hit within the timeout of the stored last hit as the same visit', () => {
    const a = mergeVisitors(null, spans([[1, 1000, 2000]]), 1800);
    expect(mergeVisitors(a.blob, spans([[1, 2000 + 1800, 4000]]), 1800).continuedVisits).toBe(1);
    expect(mergeVisitors(a.blob, spans([[1, 2000 + 1801, 4000]]), 1800).continuedVisits).toBe(0);
  });

  it('equals counting all ids at once, whatever the split (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 })), fc.array(fc.integer({ min: 1, max: 50 })), (xs, ys) => {
        const a = mergeVisitors(null, spans(xs.map((x) => [x, 1, 1])), 1800);
        const b = mergeVisitors(a.blob, spans(ys.map((y) => [y, 2, 2])), 1800);
        expect(a.newVisitors + b.newVisitors).toBe(new Set([...xs, ...ys]).size);
        expect(b.total).toBe(new Set([...xs, ...ys]).size);
      }),
    );
  });
});
