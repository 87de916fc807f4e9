/** The compiled scanners: format text is data, never code. */
import { describe, it, expect } from 'vitest';
import { compileApacheFormat, compileNginxFormat } from '../../../src/parse/index.js';
import { ok, reason } from './helpers.js';

describe('generated scanners', () => {
  it('take literals that look like code as bytes to match, nothing more', () => {
    const evil = "'); globalThis.pwned = 1; (' */ ${globalThis.pwned = 2} `\\u0060 \n";
    const p = compileApacheFormat(`%h ${evil.replace(/%/g, '%%')} %t "%r" %>s %b`);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
    const line = `1.2.3.4 ${evil} [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5`;
    expect(ok(p, line).status).toBe(200);
    expect(reason(p, line.replace('pwned = 1', 'pwned = 3'))).toBe('format_mismatch');
    const n = compileNginxFormat(`$remote_addr */}; throw 1; //\n [$time_local] "$request" $status`);
    expect(ok(n, '1.2.3.4 */}; throw 1; //\n [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 404').status).toBe(404);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });

  it('match literals longer than the unrolled comparisons', () => {
    const long = 'x'.repeat(40);
    const p = compileApacheFormat(`%h ${long} %t "%r" %>s %b`);
    expect(ok(p, `1.2.3.4 ${long} [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5`).bytes).toBe(5);
    expect(reason(p, `1.2.3.4 ${long.slice(1)}y [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5`)).toBe('format_mismatch');
    expect(reason(p, `1.2.3.4 ${long.slice(0, 20)}`)).toBe('missing_field');
  });

  it('share one scanner per program, each parser with its own state', () => {
    const a = compileApacheFormat('%h %t "%r" %>s %b');
    const b = compileApacheFormat('%h %t "%r" %>s %b');
    const line = (d: string) => `1.2.3.4 [${d}:13:55:36 +0000] "GET / HTTP/1.1" 200 5`;
    // Interleaved dates: each parser's date cache is its own.
    expect(ok(a, line('10/Oct/2000')).date).toBe('2000-10-10');
    expect(ok(b, line('11/Oct/2000')).date).toBe('2000-10-11');
    expect(ok(a, line('10/Oct/2000')).date).toBe('2000-10-10');
    expect(ok(b, line('11/Oct/2000')).date).toBe('2000-10-11');
    // Programs that differ only in a strftime format are different programs.
    const dmy = compileApacheFormat('%h [%{%d/%m/%Y %T}t] "%r" %>s %b');
    const mdy = compileApacheFormat('%h [%{%m/%d/%Y %T}t] "%r" %>s %b');
    const l2 = '1.2.3.4 [03/04/2021 10:00:00] "GET / HTTP/1.1" 200 5';
    expect(ok(dmy, l2).date).toBe('2021-04-03');
    expect(ok(mdy, l2).date).toBe('2021-03-04');
  });
});
