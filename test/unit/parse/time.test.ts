import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DateCache, dateOfDays, daysFromCivil, parseClfTime, parseEpoch, parseIsoTime } from '../../../src/parse/time.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('calendar arithmetic', () => {
  it('daysFromCivil agrees with Date.UTC from year 1 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (y, m, d) => {
        const dt = new Date(0);
        dt.setUTCFullYear(y, m - 1, d);
        dt.setUTCHours(0, 0, 0, 0);
        return daysFromCivil(y, m, d) * 86_400_000 === dt.getTime();
      }),
    );
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 3, 1)).toBe(Date.UTC(2000, 2, 1) / 86_400_000);
  });

  it('dateOfDays inverts it', () => {
    fc.assert(
      fc.property(fc.integer({ min: -700_000, max: 2_900_000 }), (days) => {
        const iso = new Date(days * 86_400_000).toISOString();
        return dateOfDays(days) === iso.slice(0, 10);
      }),
    );
  });
});

function clfText(t: number, off: number): string {
  const local = new Date((t + off * 60) * 1000);
  const mon = local.toUTCString().slice(8, 11);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const sign = off < 0 ? '-' : '+';
  return `${p2(local.getUTCDate())}/${mon}/${local.getUTCFullYear()}:${p2(local.getUTCHours())}:${p2(local.getUTCMinutes())}:${p2(local.getUTCSeconds())} ${sign}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`;
}

const timeArb = fc.record({
  t: fc.integer({ min: 0, max: 4_102_444_800 }),
  off: fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => q * 15),
});

describe('parseClfTime', () => {
  it('agrees with Date for any time and offset', () => {
    fc.assert(
      fc.property(timeArb, ({ t, off }) => {
        const local = new Date((t + off * 60) * 1000);
        const out = { time: 0, day: 0, hour: 0 };
        const b = B(`x${clfText(t, off)}]`);
        const end = parseClfTime(b, 1, b.length, out, new DateCache());
        return end === 27 && out.time === t && dateOfDays(out.day) === local.toISOString().slice(0, 10) && out.hour === local.getUTCHours();
      }),
    );
  });

  it('gives the same answers with a warm date cache, in any order of lines', () => {
    // Neighbouring times share their date, so the cache is hit and missed.
    const seq = fc.array(fc.record({ t: fc.integer({ min: 1_600_000_000, max: 1_600_400_000 }), off: fc.constantFrom(-420, 0, 60, 330) }), { minLength: 2, maxLength: 40 });
    fc.assert(
      fc.property(seq, (lines) => {
        const cache = new DateCache();
        for (const { t, off } of lines) {
          const b = B(clfText(t, off));
          const warm = { time: 0, day: 0, hour: 0 };
          const cold = { time: 0, day: 0, hour: 0 };
          expect(parseClfTime(b, 0, b.length, warm, cache)).toBe(26);
          parseClfTime(b, 0, b.length, cold, new DateCache());
          expect(warm).toEqual(cold);
          expect(warm.time).toBe(t);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never reads past the end it is given', () => {
    const b = B('10/Oct/2000:13:55:36 -0700');
    expect(parseClfTime(b, 0, 25, { time: 0, day: 0, hour: 0 }, new DateCache())).toBe(-1);
  });
});

describe('parseIsoTime', () => {
  it('agrees with Date.parse for offsets written as ±hh:mm, ±hhmm and Z, with fractions', () => {
    fc.assert(
      fc.property(timeArb, fc.constantFrom('colon', 'plain', 'z'), fc.boolean(), ({ t, off }, form, frac) => {
        const o = form === 'z' ? 0 : off;
        const local = new Date((t + o * 60) * 1000).toISOString().slice(0, 19);
        const p2 = (n: number) => String(n).padStart(2, '0');
        const zone = form === 'z' ? 'Z' : `${o < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(o) / 60))}${form === 'colon' ? ':' : ''}${p2(Math.abs(o) % 60)}`;
        const text = `${local}${frac ? '.123456' : ''}${zone}`;
        const out = { time: 0, day: 0, hour: 0 };
        const b = B(text);
        expect(parseIsoTime(b, 0, b.length, out, new DateCache())).toBe(b.length);
        expect(out.time).toBe(Date.parse(text.replace('.123456', '')) / 1000);
        expect(dateOfDays(out.day)).toBe(local.slice(0, 10));
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseEpoch', () => {
  it('reads seconds, milliseconds and fractions', () => {
    const ep = (s: string, scale: number) => parseEpoch(B(s), 0, s.length, scale);
    expect(ep('1600000000', 1)).toBe(1600000000);
    expect(ep('1600000000.5', 1)).toBe(1600000000.5);
    expect(ep('1600000000123', 1000)).toBeCloseTo(1600000000.123, 6);
    for (const bad of ['', '-1', '1e9', '12.', '.5', '1.2.3']) expect(ep(bad, 1), bad).toBeNaN();
  });
});
