import { describe, it, expect } from 'vitest';
import { F_METHOD, F_PATH, F_PROTOCOL, F_QUERY, LineFields } from '../../../src/core/record.js';
import { fieldText } from '../../../src/parse/index.js';
import { resetFields } from '../../../src/parse/fields.js';
import { splitRequest } from '../../../src/parse/request-line.js';

function splitRange(s: string, start: number, end: number) {
  const b = Buffer.from(s, 'latin1');
  const out = new LineFields();
  resetFields(out, b);
  splitRequest(b, start, end, 0, out);
  return { method: fieldText(out, F_METHOD), path: fieldText(out, F_PATH), query: fieldText(out, F_QUERY), protocol: fieldText(out, F_PROTOCOL) };
}

const split = (s: string) => splitRange(s, 0, s.length);

describe('splitRequest', () => {
  it('splits the usual forms', () => {
    expect(split('GET /a?b=c HTTP/1.1')).toEqual({ method: 'GET', path: '/a', query: 'b=c', protocol: 'HTTP/1.1' });
    expect(split('GET /a?b?c HTTP/2')).toEqual({ method: 'GET', path: '/a', query: 'b?c', protocol: 'HTTP/2' });
    expect(split('POST /')).toEqual({ method: 'POST', path: '/', query: '', protocol: '' });
    expect(split('GET http://h:8080?x HTTP/1.0')).toEqual({ method: 'GET', path: '/', query: 'x', protocol: 'HTTP/1.0' });
    expect(split('GET https://h/p/q?r HTTP/1.0')).toEqual({ method: 'GET', path: '/p/q', query: 'r', protocol: 'HTTP/1.0' });
    expect(split('GET /  HTTP/1.1')).toEqual({ method: 'GET', path: '/', query: '', protocol: 'HTTP/1.1' });
    expect(split('OPTIONS * HTTP/1.1')).toEqual({ method: 'OPTIONS', path: '*', query: '', protocol: 'HTTP/1.1' });
    expect(split('MKCOL /new/ HTTP/1.1').method).toBe('MKCOL');
  });

  it('empties all fields for -, empty and junk', () => {
    const none = { method: '', path: '', query: '', protocol: '' };
    for (const j of ['-', '', ' ', 'GET', 'GET ', '\x16\x03\x01', 'A'.repeat(40) + ' / HTTP/1.1', ' GET / HTTP/1.1']) expect(split(j), JSON.stringify(j)).toEqual(none);
  });

  it('works on a range of a longer buffer, never reading past it', () => {
    expect(splitRange('"GET /x?y HTTP/1.1" 200', 1, 18)).toEqual({ method: 'GET', path: '/x', query: 'y', protocol: 'HTTP/1.1' });
    // The range ends before the '?' and the protocol that follow it.
    expect(splitRange('GET /x?y HTTP/1.1', 0, 6)).toEqual({ method: 'GET', path: '/x', query: '', protocol: '' });
  });
});
