import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { skipValue, skipWs, numberValue, scanNumber } from '../../../src/parse/json-scan.js';

const B = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Whether the scanner takes `text` as exactly one JSON value (with surrounding whitespace). */
function scans(text: string): boolean {
  const b = B(text);
  const p = skipWs(b, 0, b.length);
  const e = skipValue(b, p, b.length, 0);
  return e !== -1 && skipWs(b, e, b.length) === b.length;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('json-scan', () => {
  it('takes every JSON text JSON.stringify writes, to its end', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 6 }), (t) => scans(t) && scans(` \n${t}\t`)), { numRuns: 2000 });
  });

  it('agrees with JSON.parse on mutated JSON (inserted, cut and swapped bytes)', () => {
    const insert = fc.constantFrom('"', '\\', ',', ':', '{', '}', '[', ']', ' ', '0', '-', '.', 'e', 'n', '\\u12', '\\x', '\x01', 'tru');
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: insert }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 5 }) }),
    );
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (t, muts) => {
        let s = t;
        for (const m of muts) {
          const at = m.at % (s.length + 1);
          s = m.kind === 'insert' ? s.slice(0, at) + m.text + s.slice(at) : s.slice(0, at) + s.slice(at + m.len);
        }
        expect(scans(s), s).toBe(parses(s));
      }),
      { numRuns: 5000 },
    );
  });

  it('limits nesting', () => {
    expect(scans(`${'['.repeat(64)}${']'.repeat(64)}`)).toBe(true);
    expect(scans(`${'['.repeat(65)}${']'.repeat(65)}`)).toBe(false);
  });

  it('reads numbers', () => {
    fc.assert(
      // Durations and times: far from the ends of the double range.
      fc.property(fc.double({ noNaN: true, min: -1e300, max: 1e300 }).filter((x) => x === 0 || Math.abs(x) > 1e-300), (x) => {
        const t = JSON.stringify(x);
        const b = B(t);
        expect(scanNumber(b, 0, b.length)).toBe(b.length);
        const v = numberValue(b, 0, b.length);
        expect(Math.abs(v - x)).toBeLessThanOrEqual(Math.abs(x) * 1e-12);
      }),
    );
  });
});
