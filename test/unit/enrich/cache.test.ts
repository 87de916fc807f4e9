import { describe, it, expect } from 'vitest';
import { BoundedCache } from '../../../src/enrich/cache.js';

describe('BoundedCache', () => {
  it('returns what was stored', () => {
    const c = new BoundedCache<number>(10);
    c.set('a', 1);
    expect(c.get('a')).toBe(1);
    expect(c.get('b')).toBeUndefined();
  });

  it('never holds more than its bound', () => {
    const c = new BoundedCache<number>(4);
    for (let i = 0; i < 100; i++) c.set(`k${i}`, i);
    expect(c.size).toBeLessThanOrEqual(4);
    expect(c.get('k99')).toBe(99);
    expect(c.get('k0')).toBeUndefined();
  });

  it('keeps a hot key alive through any number of one-off keys', () => {
    const c = new BoundedCache<number>(4);
    c.set('hot', 1);
    for (let i = 0; i < 1000; i++) {
      c.set(`once${i}`, i);
      expect(c.get('hot')).toBe(1);
    }
  });

  it('treats a bound below 2 as one entry per generation', () => {
    const c = new BoundedCache<number>(0);
    c.set('a', 1);
    expect(c.get('a')).toBe(1);
    c.set('b', 2);
    c.set('c', 3);
    expect(c.size).toBeLessThanOrEqual(2);
    expect(c.get('c')).toBe(3);
  });
});
