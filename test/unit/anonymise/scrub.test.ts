import { describe, expect, it } from 'vitest';
import { filterQuery, scrub } from '../../../src/anonymise/scrub.js';

describe('scrub', () => {
  it('replaces e-mail addresses, also percent-encoded', () => {
    expect(scrub('/bar/foo/users/1/username%40example.com/authenticate')).toBe('/bar/foo/users/1/(email)/authenticate');
    expect(scrub('contact alice.smith+x@mail.example.org now')).toBe('contact (email) now');
  });
  it('replaces long digit runs (phone, card numbers) but keeps short numbers', () => {
    expect(scrub('/call/+49 30 1234567')).toBe('/call/+(number)');
    expect(scrub('/pay/4111-1111-1111-1111')).toBe('/pay/(number)');
    expect(scrub('/blog/2024/03/01/post-12')).toBe('/blog/2024/03/01/post-12');
  });
  it('replaces token-like values', () => {
    expect(scrub('/reset/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b')).toBe('/reset/(token)');
    expect(scrub('/s/eyJhbGciOiJIUzI1NiJ9eyJzdWIiOiIxMjM0NTY3ODkwIn0')).toBe('/s/(token)');
    expect(scrub('/a-very-long-but-ordinary-slug-with-words-only')).toBe('/a-very-long-but-ordinary-slug-with-words-only');
  });
});

describe('filterQuery', () => {
  it('keeps allowed parameters only', () => {
    expect(filterQuery('page=2&token=secret&lang=de', new Set(['page', 'lang']))).toBe('page=2&lang=de');
    expect(filterQuery('token=secret', new Set(['page']))).toBe('');
    expect(filterQuery('page=2', new Set())).toBe('');
  });
});
