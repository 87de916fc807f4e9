/**
 * User-Agent classification with ua-parser-js 1.x (MIT; 2.x is AGPL, so it must stay on 1.x).
 * Names are ua-parser-js's own (`Chrome`, `Mobile Safari`, `Mac OS`, …); docs/enrichment.md maps
 * them to uap-core's families and gives the measured agreement.
 */
import { ownString } from '../core/strings.js';
import UAParser from 'ua-parser-js';
import type { UaInfo } from '../core/record.js';
import { isCrawler } from './bots.js';
import { BoundedCache, DEFAULT_CACHE_SIZE } from './cache.js';
import type { UaClassifier, UaClassifierOptions } from './enricher.js';

const UNKNOWN = 'Unknown';

/** The result for an empty User-Agent (the log wrote `-` or `""`). */
export const UNKNOWN_UA: UaInfo = Object.freeze({ browser: UNKNOWN, os: UNKNOWN, device: UNKNOWN, bot: false });

/** ua-parser-js device types → our device classes. No type means a desktop browser. */
const DEVICE_CLASS: Readonly<Record<string, string>> = {
  mobile: 'mobile',
  tablet: 'tablet',
  smarttv: 'tv',
  console: 'console',
  wearable: 'wearable',
  embedded: 'embedded',
};

/**
 * ua-parser-js reads at most 500 chars, so longer UAs are classified (and cached) by their first
 * 512: a cache keyed by arbitrary-length headers would let a few junk UAs hold megabytes.
 */
const MAX_UA_KEY = 512;

/** Distinct (browser, os, device, bot) tuples kept for sharing; a few hundred in practice. */
const MAX_INTERNED = 4096;

class CachingUaClassifier implements UaClassifier {
  readonly #parser = new UAParser();
  readonly #cache: BoundedCache<UaInfo>;
  // Many UA strings map to the same tuple: share one frozen object per tuple, so downstream
  // grouping can work by identity and the cache holds pointers, not copies.
  readonly #interned = new BoundedCache<UaInfo>(MAX_INTERNED);

  constructor(cacheSize: number) {
    this.#cache = new BoundedCache<UaInfo>(cacheSize);
  }

  classify(userAgent: string): UaInfo {
    if (userAgent.length === 0) return UNKNOWN_UA;
    const key = userAgent.length > MAX_UA_KEY ? userAgent.slice(0, MAX_UA_KEY) : userAgent;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const info = this.#compute(key);
    this.#cache.set(key, info);
    return info;
  }

  #compute(ua: string): UaInfo {
    const result = this.#parser.setUA(ua).getResult();
    const bot = isCrawler(ua);
    const browser = result.browser.name || UNKNOWN;
    const os = result.os.name || UNKNOWN;
    const type = result.device.type;
    const device = bot ? 'bot' : type === undefined || type === '' ? 'desktop' : (DEVICE_CLASS[type] ?? type);
    return this.#intern(browser, os, device, bot);
  }

  #intern(browser: string, os: string, device: string, bot: boolean): UaInfo {
    const key = `${browser}\u0000${os}\u0000${device}\u0000${bot ? 1 : 0}`;
    let info = this.#interned.get(key);
    if (info === undefined) {
      info = Object.freeze({ browser: ownString(browser), os: ownString(os), device: ownString(device), bot });
      this.#interned.set(key, info);
    }
    return info;
  }
}

export function createUaClassifier(opts?: UaClassifierOptions): UaClassifier {
  return new CachingUaClassifier(opts?.cacheSize ?? DEFAULT_CACHE_SIZE);
}
