import { describe, expect, it } from 'vitest';
import { createAnonymiser, createMemoryKeyRing, DEFAULT_PRIVACY, type PrivacyPolicy } from '../../../src/anonymise/index.js';
import { emptyParsedLine, type Enrichment, type RawIp, type RawUser } from '../../../src/core/record.js';

const enrichment: Enrichment = {
  ua: { browser: 'Firefox', os: 'Linux', device: 'desktop', bot: false },
  referrer: { kind: 'none', url: '', site: '', engine: '', term: '', spam: false },
};

function line(ip: string, user: string, date = '2024-03-01', status = 200) {
  const l = emptyParsedLine();
  l.ip = ip as RawIp;
  l.user = user as RawUser;
  l.date = date;
  l.time = Date.parse(`${date}T12:00:00Z`) / 1000;
  l.status = status;
  l.path = '/a';
  l.query = 'token=secret';
  return l;
}

const policy = (p: Partial<PrivacyPolicy>): PrivacyPolicy => ({ ...DEFAULT_PRIVACY, ...p });

describe('anonymiser', () => {
  it('keeps full IPs and user names only when asked', () => {
    const a = createAnonymiser({ policy: policy({ ip: 'full', user: 'full' }), keys: createMemoryKeyRing(), count4xxVisitors: false });
    const h = a.apply('s', line('192.0.2.77', 'alice'), enrichment, 1, true);
    expect(h.ipKey).toBe('192.0.2.77');
    expect(h.userKey).toBe('alice');
    expect(h.path).toBe('/a');
  });

  it('masks by default and pseudonymises user names', () => {
    const a = createAnonymiser({ policy: DEFAULT_PRIVACY, keys: createMemoryKeyRing(), count4xxVisitors: false });
    const h = a.apply('s', line('192.0.2.77', 'alice'), enrichment, 1, true);
    expect(h.ipKey).toBe('192.0.2.0');
    expect(h.userKey).toMatch(/^user-[a-z2-7]{10}$/);
    expect(JSON.stringify(h)).not.toContain('alice');
    expect(JSON.stringify(h)).not.toContain('192.0.2.77');
    expect(JSON.stringify(h)).not.toContain('secret');
  });

  it('gives unrelated pseudonyms on two sites and on two days, stable within one', () => {
    const a = createAnonymiser({ policy: policy({ ip: 'pseudonym' }), keys: createMemoryKeyRing(), count4xxVisitors: false });
    const p1 = a.apply('a.example', line('198.51.100.1', ''), enrichment, 1, true).ipKey;
    const p1again = a.apply('a.example', line('198.51.100.1', ''), enrichment, 1, true).ipKey;
    const p2 = a.apply('b.example', line('198.51.100.1', ''), enrichment, 1, true).ipKey;
    const p3 = a.apply('a.example', line('198.51.100.1', '', '2024-03-02'), enrichment, 1, true).ipKey;
    expect(p1).toMatch(/^ip-/);
    expect(p1again).toBe(p1);
    expect(p2).not.toBe(p1);
    expect(p3).not.toBe(p1);
  });

  it('distinguishes visitors by address and User-Agent under every IP policy', () => {
    for (const ip of ['full', 'mask', 'pseudonym', 'drop'] as const) {
      const a = createAnonymiser({ policy: policy({ ip }), keys: createMemoryKeyRing(), count4xxVisitors: false });
      const v1 = a.apply('s', line('192.0.2.1', ''), enrichment, 7, true).visitor;
      const v2 = a.apply('s', line('192.0.2.2', ''), enrichment, 7, true).visitor;
      const v3 = a.apply('s', line('192.0.2.1', ''), enrichment, 8, true).visitor;
      const v1again = a.apply('s', line('192.0.2.1', ''), enrichment, 7, true).visitor;
      expect(new Set([v1, v2, v3]).size).toBe(3);
      expect(v1again).toBe(v1);
      expect(Number.isSafeInteger(v1)).toBe(true);
    }
  });

  it('does not count 4xx towards visitors unless configured (GoAccess default)', () => {
    const keys = createMemoryKeyRing();
    const def = createAnonymiser({ policy: DEFAULT_PRIVACY, keys, count4xxVisitors: false });
    expect(def.apply('s', line('192.0.2.1', '', '2024-03-01', 404), enrichment, 1, false).countsAsVisitor).toBe(false);
    expect(def.apply('s', line('192.0.2.1', '', '2024-03-01', 500), enrichment, 1, false).countsAsVisitor).toBe(true);
    const all = createAnonymiser({ policy: DEFAULT_PRIVACY, keys, count4xxVisitors: true });
    expect(all.apply('s', line('192.0.2.1', '', '2024-03-01', 404), enrichment, 1, false).countsAsVisitor).toBe(true);
  });

  it('keeps the query only with query: keep', () => {
    const a = createAnonymiser({ policy: policy({ query: 'keep' }), keys: createMemoryKeyRing(), count4xxVisitors: false });
    expect(a.apply('s', line('192.0.2.1', ''), enrichment, 1, true).path).toBe('/a?token=secret');
  });
});
