import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DateCache, dateOfDays, daysFromCivil, parseClfTime, parseEpoch } from '../../../src/parse/time.js';

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

describe('parseClfTime', () => {
  it('agrees with Date for any time and offset', () => {
    const arb = fc.record({
      t: fc.integer({ min: 0, max: 4_102_444_800 }),
      off: fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => q * 15),
    });
    fc.assert(
      fc.property(arb, ({ t, off }) => {
        const local = new Date((t + off * 60) * 1000);
        const mon = local.toUTCString().slice(8, 11);
        const p2 = (n: number) => String(n).padStart(2, '0');
        const sign = off < 0 ? '-' : '+';
        const text = `${p2(local.getUTCDate())}/${mon}/${local.getUTCFullYear()}:${p2(local.getUTCHours())}:${p2(local.getUTCMinutes())}:${p2(local.getUTCSeconds())} ${sign}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`;
        const out = { time: 0, date: '', hour: 0 };
        const end = parseClfTime(`x${text}]`, 1, out, new DateCache());
        return end === 27 && out.time === t && out.date === local.toISOString().slice(0, 10) && out.hour === local.getUTCHours();
      }),
    );
  });
});

describe('parseEpoch', () => {
  it('reads seconds, milliseconds and fractions', () => {
    expect(parseEpoch('1600000000', 0, 10, 1)).toBe(1600000000);
    expect(parseEpoch('1600000000.5', 0, 12, 1)).toBe(1600000000.5);
    expect(parseEpoch('1600000000123', 0, 13, 1000)).toBeCloseTo(1600000000.123, 6);
    for (const bad of ['', '-1', '1e9', '12.', '.5', '1.2.3']) expect(parseEpoch(bad, 0, bad.length, 1), bad).toBeNaN();
  });
});
