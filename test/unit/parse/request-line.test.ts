import { describe, it, expect } from 'vitest';
import { splitRequest } from '../../../src/parse/request-line.js';

function split(s: string) {
  const out = { method: 'x', path: 'x', query: 'x', protocol: 'x' };
  splitRequest(s, 0, s.length, out);
  return out;
}

describe('splitRequest', () => {
  it('splits the usual forms', () => {
    expect(split('GET /a?b=c HTTP/1.1')).toEqual({ method: 'GET', path: '/a', query: 'b=c', protocol: 'HTTP/1.1' });
    expect(split('GET /a?b?c HTTP/2')).toEqual({ method: 'GET', path: '/a', query: 'b?c', protocol: 'HTTP/2' });
    expect(split('POST /')).toEqual({ method: 'POST', path: '/', query: '', protocol: '' });
    expect(split('GET http://h:8080?x HTTP/1.0')).toEqual({ method: 'GET', path: '/', query: 'x', protocol: 'HTTP/1.0' });
    expect(split('GET /  HTTP/1.1')).toEqual({ method: 'GET', path: '/', query: '', protocol: 'HTTP/1.1' });
    expect(split('MKCOL /new/ HTTP/1.1').method).toBe('MKCOL');
  });

  it('empties all fields for -, empty and junk', () => {
    const none = { method: '', path: '', query: '', protocol: '' };
    for (const j of ['-', '', ' ', 'GET', 'GET ', '\x16\x03\x01', 'A'.repeat(40) + ' / HTTP/1.1', ' GET / HTTP/1.1']) expect(split(j), JSON.stringify(j)).toEqual(none);
  });

  it('works on a range of a longer string', () => {
    const s = '"GET /x?y HTTP/1.1" 200';
    const out = { method: '', path: '', query: '', protocol: '' };
    splitRequest(s, 1, 18, out);
    expect(out).toEqual({ method: 'GET', path: '/x', query: 'y', protocol: 'HTTP/1.1' });
  });
});
