import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { bytesToText } from '../../../src/parse/index.js';

const latin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

describe('bytesToText', () => {
  it('returns printable ASCII unchanged', () => {
    expect(bytesToText('GET /index.html?q=1 "x" \\ ~')).toBe('GET /index.html?q=1 "x" \\ ~');
    expect(bytesToText('')).toBe('');
  });

  it('decodes valid UTF-8', () => {
    expect(bytesToText(latin1('café ☃ 😀 日本'))).toBe('café ☃ 😀 日本');
  });

  it('shows control bytes and invalid UTF-8 as \\xHH', () => {
    expect(bytesToText('a\x00b\x1b[31m\x7f')).toBe('a\\x00b\\x1B[31m\\x7F');
    // latin1 é alone is not UTF-8.
    expect(bytesToText('caf\xe9')).toBe('caf\\xE9');
    // Truncated sequence, lone continuation byte, overlong '/', UTF-16 surrogate, beyond U+10FFFF.
    expect(bytesToText('\xe2\x98')).toBe('\\xE2\\x98');
    expect(bytesToText('\x80x')).toBe('\\x80x');
    expect(bytesToText('\xc0\xaf')).toBe('\\xC0\\xAF');
    expect(bytesToText('\xed\xa0\x80')).toBe('\\xED\\xA0\\x80');
    expect(bytesToText('\xf4\x90\x80\x80')).toBe('\\xF4\\x90\\x80\\x80');
    // After an invalid byte, decoding resumes at the next one.
    expect(bytesToText('\xff\xe2\x98\x83')).toBe('\\xFF☃');
    // C1 controls are valid UTF-8 but not printable.
    expect(bytesToText('\xc2\x85')).toBe('\\xC2\\x85');
    expect(bytesToText('\xc2\xa0')).toBe('\u00a0');
  });

  it('round-trips any printable Unicode text', () => {
    const printable = fc.string({ unit: 'grapheme' }).filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s));
    fc.assert(fc.property(printable, (s) => bytesToText(latin1(s)) === s));
  });

  it('loses nothing: undoing \\xHH and re-encoding gives the bytes back (inputs without a backslash)', () => {
    const bytes = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)) }).filter((s) => !s.includes('\\'));
    fc.assert(
      fc.property(bytes, (b) => {
        const text = bytesToText(b);
        // Nothing unprintable survives.
        if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) return false;
        const back = text
          .split(/(\\x[0-9A-F]{2})/)
          .map((part) => (part.startsWith('\\x') ? String.fromCharCode(parseInt(part.slice(2), 16)) : latin1(part)))
          .join('');
        return back === b;
      }),
    );
  });
});
