/**
 * Crawler detection: the bundled monperrus/crawler-user-agents patterns (data/crawler-user-agents.json,
 * MIT) plus four keywords. The patterns are compiled once, on first use, into a few alternations;
 * callers cache per distinct User-Agent (see ua.ts), so this runs once per UA, not per line.
 */
import { readDataFile } from './data-files.js';

/** Substrings (ASCII, any case) that mark a crawler by themselves, whatever the pattern list says. */
export const CRAWLER_KEYWORDS: readonly string[] = ['bot', 'crawl', 'spider', 'slurp'];

/**
 * Patterns per RegExp. The ~830 patterns left after dropping redundant ones (see below) make 5
 * alternations. Measured on uap-core's 16k test UAs: one alternation 12 µs per UA, groups of 200
 * 10 µs, testing each pattern on its own 49 µs. Only cache misses pay this (see docs/enrichment.md).
 */
const DEFAULT_GROUP_SIZE = 200;

/**
 * Local tightening of upstream patterns that match ordinary devices (found with uap-core's device
 * tests). Each replacement still matches every `instances` example of the pattern it replaces.
 */
export const PATTERN_OVERRIDES: ReadonlyMap<string, string> = new Map([
  // Topsy's crawler writes `Butterfly/1.0`; the bare word matched `HTC Butterfly` phones.
  ['Butterfly', 'Butterfly\\/'],
  // Waseda's `Sonic/1.0` and `RankSonicSiteAuditor`; the bare word matched `ViewSonic` devices.
  ['Sonic', 'RankSonic|Sonic\\/'],
  // Entireweb's Speedy Spider; the bare word matched `(speedy;HTC;…)` in Yahoo Mail's UA.
  ['speedy', 'speedy_?spider'],
  // AdvancedWebRanking's `008/0.83`; the bare token matched Opera Mini build numbers (`/39008/37`).
  ['008\\/', '(?:^|[^\\w.])008\\/'],
]);

/** Uppercase ASCII letter → lowercase; everything else unchanged (UAs are latin1 byte strings). */
function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

function matchesAt(ua: string, at: number, word: string): boolean {
  if (at + word.length > ua.length) return false;
  for (let k = 0; k < word.length; k++) {
    if (lowerAscii(ua.charCodeAt(at + k)) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * True when the UA contains one of CRAWLER_KEYWORDS, ignoring ASCII case. No allocation.
 * `bot` inside `cubot` does not count: CUBOT is an Android phone brand (15 of uap-core's device
 * tests), and no crawler in the bundled list is named like that.
 */
export function hasCrawlerKeyword(ua: string): boolean {
  // Each keyword starts with a distinct letter, so one pass dispatching on the letter suffices.
  for (let i = 0; i < ua.length; i++) {
    switch (lowerAscii(ua.charCodeAt(i))) {
      case 98: // b
        if (matchesAt(ua, i, 'bot') && !(i >= 2 && matchesAt(ua, i - 2, 'cubot'))) return true;
        break;
      case 99: // c
        if (matchesAt(ua, i, 'crawl')) return true;
        break;
      case 115: // s
        if (matchesAt(ua, i, 'spider') || matchesAt(ua, i, 'slurp')) return true;
        break;
    }
  }
  return false;
}

const META = '^$.*+?()[]{}|';

/**
 * The literal text a pattern matches when it has no regex operators (escaped punctuation such as
 * `\/` counts as literal), or null. `\d`, `\s` and the like are classes, so they make it non-literal.
 */
export function literalOf(pattern: string): string | null {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '\\') {
      const next = pattern.charAt(i + 1);
      if (next === '' || /[0-9A-Za-z]/.test(next)) return null;
      out += next;
      i++;
    } else if (META.includes(ch)) {
      return null;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Compiles the patterns into as few RegExps as practical. A literal pattern that already contains a
 * keyword is dropped: any UA it matches also contains that keyword, which isCrawler checks first.
 * Branches are wrapped in `(?:…)` so anchors and inner `|` keep their per-pattern meaning; the
 * patterns use no backreferences or named groups (checked by the tests), so renumbering is harmless.
 */
export function compileCrawlerMatchers(patterns: readonly string[], groupSize = DEFAULT_GROUP_SIZE): RegExp[] {
  const kept: string[] = [];
  for (const original of patterns) {
    const p = PATTERN_OVERRIDES.get(original) ?? original;
    const literal = literalOf(p);
    if (literal !== null && hasCrawlerKeyword(literal)) continue;
    kept.push(p);
  }
  const out: RegExp[] = [];
  for (let i = 0; i < kept.length; i += groupSize) {
    out.push(new RegExp(kept.slice(i, i + groupSize).map((p) => `(?:${p})`).join('|')));
  }
  return out;
}

interface CrawlerEntry {
  readonly pattern: string;
}

/** The bundled pattern strings, in file order. */
export function loadCrawlerPatterns(): string[] {
  const entries = JSON.parse(readDataFile('crawler-user-agents.json')) as CrawlerEntry[];
  return entries.map((e) => e.pattern);
}

let matchers: RegExp[] | undefined;

/** Whether a User-Agent belongs to a crawler, bot, monitor or scripted client. '' → false. */
export function isCrawler(userAgent: string): boolean {
  if (userAgent.length === 0) return false;
  if (hasCrawlerKeyword(userAgent)) return true;
  matchers ??= compileCrawlerMatchers(loadCrawlerPatterns());
  for (let i = 0; i < matchers.length; i++) {
    if (matchers[i]!.test(userAgent)) return true;
  }
  return false;
}
