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
export const UNKNOWN_UA: UaInfo = Object.freeze({ browser: UNKNOWN, os: UNKNOWN, device: UNKNOWN, bot: false, browserVersion: '', osVersion: '' });

/**
 * ua-parser-js writes some OS names as the UA spelled them (`linux`, `freebsd`): one family must
 * be one row, so lower-case names get their usual spelling.
 */
const OS_SPELLING: Readonly<Record<string, string>> = {
  linux: 'Linux',
  freebsd: 'FreeBSD',
  openbsd: 'OpenBSD',
  netbsd: 'NetBSD',
  dragonfly: 'DragonFly',
  solaris: 'Solaris',
  sunos: 'SunOS',
  aix: 'AIX',
  hp_ux: 'HP-UX',
  'hp-ux': 'HP-UX',
  unix: 'Unix',
  haiku: 'Haiku',
  plan9: 'Plan9',
  minix: 'Minix',
  beos: 'BeOS',
  os2: 'OS/2',
  amigaos: 'AmigaOS',
  morphos: 'MorphOS',
  risc_os: 'RISC OS',
  gnu: 'GNU',
};

export function osFamily(name: string | undefined): string {
  if (name === undefined || name === '') return UNKNOWN;
  if (name !== name.toLowerCase()) return name;
  return OS_SPELLING[name] ?? name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The version shown beside a family: the major version, except for macOS 10.x, whose minor
 * number is the release (10.15 Catalina); '' when unknown.
 */
export function versionLabel(family: string, version: string | undefined): string {
  if (family === UNKNOWN || version === undefined || version === '') return '';
  const parts = version.split('.');
  const major = parts[0]!;
  if (!/^\d+$/.test(major) && !/^[A-Za-z]+$/.test(major)) return '';
  const v = family === 'Mac OS' && major === '10' && parts[1] !== undefined ? `10.${parts[1]}` : major;
  return `${family} ${v}`;
}

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
    const os = osFamily(result.os.name);
    const type = result.device.type;
    const device = bot ? 'bot' : type === undefined || type === '' ? 'desktop' : (DEVICE_CLASS[type] ?? type);
    return this.#intern(browser, os, device, bot, versionLabel(browser, result.browser.major ?? result.browser.version), versionLabel(os, result.os.version));
  }

  #intern(browser: string, os: string, device: string, bot: boolean, browserVersion: string, osVersion: string): UaInfo {
    const key = `${browser}\u0000${os}\u0000${device}\u0000${bot ? 1 : 0}\u0000${browserVersion}\u0000${osVersion}`;
    let info = this.#interned.get(key);
    if (info === undefined) {
      info = Object.freeze({ browser: ownString(browser), os: ownString(os), device: ownString(device), bot, browserVersion: ownString(browserVersion), osVersion: ownString(osVersion) });
      this.#interned.set(key, info);
    }
    return info;
  }
}

export function createUaClassifier(opts?: UaClassifierOptions): UaClassifier {
  return new CachingUaClassifier(opts?.cacheSize ?? DEFAULT_CACHE_SIZE);
}
