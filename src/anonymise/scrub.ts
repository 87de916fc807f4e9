/**
 * Scrubbing of stored strings (URLs, referrers, search terms, FTP file names). A URL path or a
 * search term can carry personal data: an e-mail address (`/users/alice%40example.com/`), a
 * phone or card number, a session token. Such runs are replaced by a placeholder before a value
 * is stored. Runs once per distinct value (at drain time), so regexes are affordable here.
 */

// local@domain.tld, also percent-encoded (%40) as it appears in paths and query strings.
const EMAIL = /[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// 7+ digits, optionally grouped by spaces, dots or dashes: phone, card and account numbers.
const DIGITS = /\d(?:[ .-]?\d){6,}/g;
// A bare date (YYYYMMDD) or timestamp (YYYYMMDDhhmmss) is a common path part and no one's number.
const DATE_RUN = /^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])?(?:[0-5]\d){0,2}$/;
// Token-like values: 24+ chars of hex, or 32+ of base64/base64url mixing upper case, lower case
// and digits (a URL slug is lower case: `installing-windows-8-consumer-preview` stays).
const HEX_TOKEN = /\b[0-9a-fA-F]{24,}\b/g;
const B64_TOKEN = /[A-Za-z0-9_-]{32,}={0,2}/g;

export function scrub(text: string): string {
  if (text.length < 7) return text;
  let out = text;
  if (out.includes('@') || out.includes('%40')) out = out.replace(EMAIL, '(email)');
  out = out.replace(DIGITS, (m) => (m.length !== 8 && m.length !== 12 && m.length !== 14) || !DATE_RUN.test(m) ? '(number)' : m);
  out = out.replace(HEX_TOKEN, '(token)');
  out = out.replace(B64_TOKEN, (m) => (/[0-9]/.test(m) && /[a-z]/.test(m) && /[A-Z]/.test(m) ? '(token)' : m));
  return out;
}

/**
 * Keep only allowed parameters of a query string (names compared as written), in their order.
 * Returns '' when none is left.
 */
export function filterQuery(query: string, allow: ReadonlySet<string>): string {
  if (allow.size === 0 || query === '') return '';
  let out = '';
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    if (allow.has(name)) out += out === '' ? part : `&${part}`;
  }
  return out;
}
