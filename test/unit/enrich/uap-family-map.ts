/**
 * How uap-core's family names (the ground truth in fixtures/useragents/) correspond to the names
 * ua-parser-js 1.x gives. Documented in docs/enrichment.md; keep both in step.
 *
 * A uap family and a ua-parser-js name agree when
 *   1. they are equal after lower-casing and dropping everything but letters and digits
 *      ('Pale Moon' = 'PaleMoon', 'KakaoTalk' = 'KAKAOTALK', 'Other' = 'Unknown' by rule 2), or
 *   2. uap says 'Other' (it could not tell) and ua-parser-js says 'Unknown', or
 *   3. the tables below list the ua-parser-js name for that uap family. Entries are naming
 *      differences only (same product, different label or granularity), never guesses that
 *      would turn a wrong answer into a right one.
 */

export const BROWSER_ALIASES: Readonly<Record<string, readonly string[]>> = {
  // uap splits mobile variants into their own families; ua-parser-js keeps the product name.
  'Chrome Mobile': ['Chrome', 'Mobile Chrome'],
  'Chrome Mobile iOS': ['Chrome', 'Mobile Chrome'],
  'Chrome Mobile WebView': ['Chrome WebView'],
  HeadlessChrome: ['Chrome Headless'],
  'Firefox Mobile': ['Firefox', 'Mobile Firefox'],
  'Firefox iOS': ['Firefox', 'Mobile Firefox'],
  'Firefox Beta': ['Firefox'],
  'Firefox Alpha': ['Firefox'],
  'Edge Mobile': ['Edge'],
  'IE Mobile': ['IEMobile'],
  'IE Large Screen': ['IE'],
  'Opera Mobile': ['Opera Mobi', 'Opera'],
  'QQ Browser': ['QQBrowser'],
  'QQ Browser Mobile': ['QQBrowser'],
  'QQ Browser Mini': ['QQBrowser', 'QQBrowserLite'],
  'UC Browser': ['UCBrowser'],
  'Yandex Browser': ['Yandex'],
  'Baidu Browser': ['Baidu'],
  'Baidu Explorer': ['Baidu'],
  'WeChat Browser': ['WeChat'],
  'HeyTap Browser': ['HeyTap'],
  'Nokia Browser': ['NokiaBrowser'],
  'Ovi Browser': ['OviBrowser'],
  'DuckDuckGo Mobile': ['DuckDuckGo'],
  'Facebook Messenger': ['Facebook'],
  'Comodo Dragon': ['Dragon'],
  'NCSA Mosaic': ['Mosaic'],
  'Amazon Silk': ['Silk'],
  Android: ['Android Browser'],
  Dolfin: ['Dolphin'],
  Openwave: ['UP.Browser'],
  // The Google Search app: uap 'Google', ua-parser-js 'GSA' (its UA token).
  Google: ['GSA'],
  // iOS apps' embedded WKWebView: ua-parser-js names it by the engine.
  'Mobile Safari UI/WKWebView': ['WebKit'],
};

export const OS_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'Mac OS X': ['Mac OS', 'macOS'],
  'Symbian OS': ['Symbian'],
  'Symbian^3': ['Symbian'],
  'Symbian^3 Anna': ['Symbian'],
  'Symbian^3 Belle': ['Symbian'],
  'BlackBerry OS': ['BlackBerry'],
  'BlackBerry Tablet OS': ['RIM Tablet OS'],
  'Nokia Series 40': ['Series40'],
  'Windows Phone': ['Windows Phone', 'Windows Phone OS'],
  'Chrome OS': ['Chrome OS', 'Chromium OS'],
  'Chromecast Linux': ['Chromecast'],
  'Chromecast Fuchsia': ['Chromecast'],
  'Chromecast SmartSpeaker': ['Chromecast'],
  'Chromecast Android': ['Android'],
  Web0S: ['webOS'],
};

function norm(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function familiesAgree(uapFamily: string, ours: string, aliases: Readonly<Record<string, readonly string[]>>): boolean {
  if (norm(uapFamily) === norm(ours)) return true;
  if (uapFamily === 'Other' && ours === 'Unknown') return true;
  return aliases[uapFamily]?.includes(ours) ?? false;
}

/** Families of ordinary, mainstream browsers: the subset a hosting customer mostly sees. */
export const MAINSTREAM_BROWSERS: readonly string[] = [
  'Chrome',
  'Chrome Mobile',
  'Chrome Mobile iOS',
  'Chrome Mobile WebView',
  'Firefox',
  'Firefox Mobile',
  'Firefox iOS',
  'Safari',
  'Mobile Safari',
  'Mobile Safari UI/WKWebView',
  'Edge',
  'Edge Mobile',
  'IE',
  'IE Mobile',
  'Opera',
  'Opera Mini',
  'Opera Mobile',
  'Samsung Internet',
  'UC Browser',
  'Yandex Browser',
  'Android',
];

export const MAINSTREAM_OS: readonly string[] = ['Windows', 'Mac OS X', 'iOS', 'Android', 'Linux', 'Ubuntu', 'Chrome OS'];
