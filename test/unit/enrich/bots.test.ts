import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  compileCrawlerMatchers,
  hasCrawlerKeyword,
  isCrawler,
  literalOf,
  loadCrawlerPatterns,
  PATTERN_OVERRIDES,
} from '../../../src/enrich/bots.js';
import { loadUapCases } from './uap-fixtures.js';

interface Entry {
  pattern: string;
  instances?: string[];
}
const entries = JSON.parse(readFileSync(new URL('../../../data/crawler-user-agents.json', import.meta.url), 'utf8')) as Entry[];

/** The reference behaviour the grouped RegExps must reproduce: keywords, then each pattern alone. */
const individually = loadCrawlerPatterns().map((p) => new RegExp(PATTERN_OVERRIDES.get(p) ?? p));
function reference(ua: string): boolean {
  return ua !== '' && (hasCrawlerKeyword(ua) || individually.some((re) => re.test(ua)));
}

describe('crawler patterns', () => {
  it('bundles the whole list', () => {
    expect(entries.length).toBeGreaterThan(1400);
    expect(loadCrawlerPatterns()).toHaveLength(entries.length);
  });

  it('uses no construct that alternation would change (backreferences, named groups, inline flags)', () => {
    for (const { pattern } of entries) {
      expect(pattern, pattern).not.toMatch(/\\[1-9]|\(\?<[A-Za-z]|\(\?[a-z]/);
    }
  });

  it('compiles into a handful of RegExps', () => {
    const matchers = compileCrawlerMatchers(loadCrawlerPatterns());
    expect(matchers.length).toBeGreaterThan(0);
    expect(matchers.length).toBeLessThanOrEqual(8);
  });

  it('detects every `instances` example of the list', () => {
    const missed = entries.flatMap((e) => (e.instances ?? []).filter((ua) => !isCrawler(ua)));
    expect(missed).toEqual([]);
  });

  it('keeps every instance of an overridden pattern matching its replacement', () => {
    for (const [original, replacement] of PATTERN_OVERRIDES) {
      const entry = entries.find((e) => e.pattern === original);
      expect(entry, original).toBeDefined();
      for (const ua of entry?.instances ?? []) expect(new RegExp(replacement).test(ua), ua).toBe(true);
    }
  });

  it('answers exactly as testing each pattern on its own (instances, uap-core UAs, edge cases)', () => {
    const corpus = [
      ...entries.flatMap((e) => e.instances ?? []),
      ...loadUapCases('test_ua.yaml').map((c) => c.user_agent_string),
      ...loadUapCases('test_device.sample.yaml').map((c) => c.user_agent_string),
      'curl/8.0',
      'xcurl/8.0',
      'Apache-HttpClient/4.5',
      'My SSL Labs',
      'My SSL Labs scanner',
      '008/0.83',
      'Opera Mini/4.4.39008/37.9178',
      '',
    ];
    const differing = corpus.filter((ua) => isCrawler(ua) !== reference(ua));
    expect(differing).toEqual([]);
  });

  it('drops only literal patterns that contain a keyword', () => {
    expect(literalOf('Googlebot\\/')).toBe('Googlebot/');
    expect(literalOf('AdsBot-Google([^-]|$)')).toBeNull();
    expect(literalOf('BlogTraffic\\/\\d')).toBeNull();
    // 'Googlebot/' is redundant (contains 'bot'); a UA matching it is still a crawler by keyword.
    expect(isCrawler('Googlebot/2.1')).toBe(true);
  });
});

describe('crawler keywords', () => {
  it.each(['SomethingBot/1.0', 'my-crawler/2', 'SPIDER', 'Mozilla/5.0 (compatible; Yahoo! Slurp)', 'robot'])('%s is a crawler', (ua) => {
    expect(isCrawler(ua)).toBe(true);
  });

  it('does not count the CUBOT phone brand', () => {
    const ua = 'Mozilla/5.0 (Linux; Android 4.2.2; CUBOT C11 Build/JDQ39) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/31.0.1650.57 Mobile Safari/537.36';
    expect(isCrawler(ua)).toBe(false);
    expect(isCrawler(`${ua} Bot`)).toBe(true);
  });

  it('is false for an empty UA', () => {
    expect(isCrawler('')).toBe(false);
  });
});

describe('ordinary browsers are not crawlers', () => {
  const families = ['Chrome', 'Chrome Mobile', 'Firefox', 'Firefox Mobile', 'Safari', 'Mobile Safari', 'Edge', 'Edge Mobile', 'Opera', 'Samsung Internet', 'IE'];
  // uap-core files Google's page-preview fetcher under family Chrome; it is a crawler.
  const notABrowser = /Google Web Preview/;
  const browsers = loadUapCases('test_ua.yaml').filter((c) => families.includes(c.family) && !notABrowser.test(c.user_agent_string));

  it('has a real sample', () => {
    expect(browsers.length).toBeGreaterThan(40);
  });

  it.each(browsers.map((c) => [c.family, c.user_agent_string]))('%s: %s', (_family, ua) => {
    expect(isCrawler(ua)).toBe(false);
  });
});

describe('false positives on uap-core device tests', () => {
  it('flags few non-Spider UAs and most Spider ones', () => {
    const cases = loadUapCases('test_device.sample.yaml');
    const humans = cases.filter((c) => c.family !== 'Spider');
    const spiders = cases.filter((c) => c.family === 'Spider');
    const fp = humans.filter((c) => isCrawler(c.user_agent_string));
    const fpNotWhatsApp = fp.filter((c) => !c.user_agent_string.includes('WhatsApp'));
    const recall = spiders.filter((c) => isCrawler(c.user_agent_string)).length;
    const rate = fp.length / humans.length;
    console.log(
      `crawler false positives: ${fp.length}/${humans.length} = ${(rate * 100).toFixed(2)}%` +
        ` (${fpNotWhatsApp.length} not WhatsApp); Spider recall ${recall}/${spiders.length}`,
    );
    // Measured on this sample: 25/5351 = 0.47%, 1 not WhatsApp (whose app UA the bot list flags as its
    // link-preview fetcher); on the full 16,129 cases 0.44%, 4 not WhatsApp. Floors leave a little room.
    expect(rate).toBeLessThan(0.006);
    expect(fpNotWhatsApp.length).toBeLessThanOrEqual(3);
    expect(recall / spiders.length).toBeGreaterThan(0.75);
  });
});
