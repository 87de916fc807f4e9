import { describe, it, expect } from 'vitest';
import { BoundedCache } from '../../../src/enrich/cache.js';

describe('BoundedCache', () => {
  it('returns what was stored', () => {
    const c = new BoundedCache<number>(10);
    c.set('a', 1);
    expect(c.get('a')).toBe(1);
    expect(c.get('b')).toBeUndefined();
  });

  it('never holds more than its bound and evicts the oldest insertion first', () => {
    const c = new BoundedCache<number>(3);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) c.set(k, i);
    expect(c.size).toBe(3);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBe(1);
    expect(c.get('d')).toBe(3);
    // A read does not refresh age (FIFO, not LRU): 'b' is still the oldest.
    c.set('e', 4);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('c')).toBe(2);
  });

  it('treats a bound below 1 as 1', () => {
    const c = new BoundedCache<number>(0);
    c.set('a', 1);
    expect(c.get('a')).toBe(1);
    c.set('b', 2);
    expect(c.size).toBe(1);
    expect(c.get('b')).toBe(2);
  });
});
