import { describe, expect, it } from 'vitest';
import { ByteInterner } from '../../../src/core/interner.js';

const text = (t: ByteInterner, id: number): string => Buffer.from(t.bytesOf(id)).toString('utf8');

describe('ByteInterner', () => {
  it('gives one id per distinct byte string, in order of first sight', () => {
    const t = new ByteInterner(4, 8);
    const src = Buffer.from('xx/a/b/a/cxx', 'latin1');
    expect(t.intern(src, 2, 4)).toBe(0); // /a
    expect(t.intern(src, 4, 6)).toBe(1); // /b
    expect(t.intern(src, 6, 8)).toBe(0); // /a again
    expect(t.intern(src, 8, 10)).toBe(2); // /c
    expect(t.size).toBe(3);
    expect(t.find(src, 4, 6)).toBe(1);
    expect(t.find(src, 0, 2)).toBe(-1);
  });

  it('interns text as its UTF-8 bytes, the same ids as those bytes, whatever the length', () => {
    // Small initial sizes: the index, the arena and internText's buffer all grow on the way.
    const t = new ByteInterner(2, 4);
    const values = ['a', 'straße', '日本語', '', 'x'.repeat(1000), '🙂 emoji', 'é'.repeat(300), 'a'];
    const ids = values.map((v) => t.internText(v));
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 0]);
    values.forEach((v, i) => expect(text(t, ids[i]!)).toBe(v));
    for (const v of values) {
      const b = Buffer.from(`<${v}>`, 'utf8');
      expect(t.intern(b, 1, b.length - 1)).toBe(t.internText(v));
    }
    expect(t.size).toBe(7);
  });

  it('keeps every value after many interleaved text and byte lookups (scratch reuse)', () => {
    const t = new ByteInterner(16, 64);
    const want = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const v = `203.0.113.${i % 700}/${'ü'.repeat(i % 5)}`;
      const id = i % 3 === 0 ? t.internText(v) : t.intern(Buffer.from(v, 'utf8'), 0, Buffer.byteLength(v));
      if (!want.has(v)) want.set(v, want.size);
      expect(id).toBe(want.get(v));
    }
    for (const [v, id] of want) expect(text(t, id)).toBe(v);
  });

  it('clear() forgets every value', () => {
    const t = new ByteInterner();
    t.internText('a');
    t.internText('b');
    t.clear();
    expect(t.size).toBe(0);
    expect(t.internText('b')).toBe(0);
  });
});
