import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filterQuery, scrub } from '../../../src/anonymise/scrub.js';
import { emptyParsedLine } from '../../../src/core/record.js';
import { createReferrerClassifier } from '../../../src/enrich/index.js';
import { bytesToText, createParser } from '../../../src/parse/index.js';

describe('scrub', () => {
  it('replaces e-mail addresses, also percent-encoded', () => {
    expect(scrub('/bar/foo/users/1/username%40example.com/authenticate')).toBe('/bar/foo/users/1/(email)/authenticate');
    expect(scrub('contact alice.smith+x@mail.example.org now')).toBe('contact (email) now');
  });
  it('replaces long digit runs (phone, card numbers) but keeps short numbers', () => {
    expect(scrub('/call/+49 30 1234567')).toBe('/call/+(number)');
    expect(scrub('/pay/4111-1111-1111-1111')).toBe('/pay/(number)');
    expect(scrub('/blog/2024/03/01/post-12')).toBe('/blog/2024/03/01/post-12');
    expect(scrub('/files/20070901/x.c')).toBe('/files/20070901/x.c');
    expect(scrub('/backup-20240301120000.tar')).toBe('/backup-20240301120000.tar');
    expect(scrub('/order/20071399')).toBe('/order/(number)');
  });
  it('replaces token-like values', () => {
    expect(scrub('/reset/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b')).toBe('/reset/(token)');
    expect(scrub('/s/eyJhbGciOiJIUzI1NiJ9eyJzdWIiOiIxMjM0NTY3ODkwIn0')).toBe('/s/(token)');
    expect(scrub('/a-very-long-but-ordinary-slug-with-words-only')).toBe('/a-very-long-but-ordinary-slug-with-words-only');
    expect(scrub('/blog/installing-windows-8-consumer-preview.html')).toBe('/blog/installing-windows-8-consumer-preview.html');
    expect(scrub('/img/ahhh___rage_face_by_samusmmx-d5g5zap.png')).toBe('/img/ahhh___rage_face_by_samusmmx-d5g5zap.png');
  });
});

describe('filterQuery', () => {
  it('keeps allowed parameters only', () => {
    expect(filterQuery('page=2&token=secret&lang=de', new Set(['page', 'lang']))).toBe('page=2&lang=de');
    expect(filterQuery('token=secret', new Set(['page']))).toBe('');
    expect(filterQuery('page=2', new Set())).toBe('');
  });
});

describe('scrub on real referers and URLs (elastic_apache_logs.log)', () => {
  const file = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'logs', 'elastic_apache_logs.log');
  it.skipIf(!existsSync(file))('leaves no e-mail address, long number or token in any stored referrer, path or term', () => {
    const parser = createParser({ format: 'combined' });
    const line = emptyParsedLine();
    const classify = createReferrerClassifier({ hosts: ['semicomplete.com', 'www.semicomplete.com'] });
    let changed = 0;
    let seen = 0;
    for (const l of readFileSync(file, 'latin1').split('\n')) {
      if (l === '' || parser.parse(l, line) !== null) continue;
      const r = classify.classify(line.referrer);
      for (const v of [bytesToText(line.path), bytesToText(r.url), bytesToText(r.term)]) {
        if (v === '') continue;
        seen++;
        const s = scrub(v);
        if (s !== v) changed++;
        expect(s).not.toMatch(/[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9-]+\.[A-Za-z]{2,}/);
        // Long digit runs may remain only as bare dates (YYYYMMDD), which scrub keeps on purpose.
        for (const m of s.match(/\d(?:[ .-]?\d){6,}/g) ?? []) expect(m).toMatch(/^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d{4}|\d{6})?$/);
        expect(s).not.toMatch(/\b[0-9a-fA-F]{24,}\b/);
      }
    }
    // Real paths carry ids and hashes: some values must have been scrubbed, most must not.
    console.log(`scrubbed ${changed} of ${seen} real paths, referrers and terms`);
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(seen / 10);
  });
});
