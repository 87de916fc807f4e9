/**
 * Splitting a request line (`%r`, `$request`) into method, path, query and protocol, on a range
 * of the line so the common case slices the line directly. Linear in the length: one scan for
 * the method, one lastIndexOf for the protocol, one indexOf for '?'.
 */

export interface RequestTarget {
  method: string;
  path: string;
  query: string;
  protocol: string;
}

const MAX_METHOD = 32;

/** Known methods and protocols come back as constants: no per-line allocation for them. */
function methodOf(s: string, start: number, end: number): string {
  switch (end - start) {
    case 3:
      if (s.startsWith('GET', start)) return 'GET';
      if (s.startsWith('PUT', start)) return 'PUT';
      break;
    case 4:
      if (s.startsWith('POST', start)) return 'POST';
      if (s.startsWith('HEAD', start)) return 'HEAD';
      break;
    case 5:
      if (s.startsWith('PATCH', start)) return 'PATCH';
      if (s.startsWith('TRACE', start)) return 'TRACE';
      break;
    case 6:
      if (s.startsWith('DELETE', start)) return 'DELETE';
      break;
    case 7:
      if (s.startsWith('OPTIONS', start)) return 'OPTIONS';
      if (s.startsWith('CONNECT', start)) return 'CONNECT';
      break;
    case 8:
      if (s.startsWith('PROPFIND', start)) return 'PROPFIND';
      break;
    default:
      break;
  }
  return s.slice(start, end);
}

function protocolOf(s: string, start: number, end: number): string {
  switch (end - start) {
    case 8:
      if (s.startsWith('HTTP/1.1', start)) return 'HTTP/1.1';
      if (s.startsWith('HTTP/1.0', start)) return 'HTTP/1.0';
      if (s.startsWith('HTTP/2.0', start)) return 'HTTP/2.0';
      if (s.startsWith('HTTP/3.0', start)) return 'HTTP/3.0';
      break;
    case 6:
      if (s.startsWith('HTTP/2', start)) return 'HTTP/2';
      if (s.startsWith('HTTP/3', start)) return 'HTTP/3';
      break;
    default:
      break;
  }
  return s.slice(start, end);
}

/**
 * Sets path and query from a request target: origin form `/p?q`, `*`, or absolute form
 * `http://host/p?q` (its path is taken). Anything else (authority form, junk) gives ''.
 */
export function splitTarget(s: string, start: number, end: number, out: RequestTarget): void {
  out.path = '';
  out.query = '';
  if (start >= end) return;
  let p = start;
  const c = s.charCodeAt(p);
  if (c === 42) {
    if (end - start === 1) out.path = '*';
    return;
  }
  if (c !== 47) {
    // Absolute form: scheme "://" authority, then the path (or '/' when there is none).
    let i = p;
    while (i < end) {
      const l = s.charCodeAt(i) | 32;
      if (l < 97 || l > 122) break;
      i++;
    }
    if (i === p || i + 3 > end || !s.startsWith('://', i)) return;
    i += 3;
    while (i < end) {
      const k = s.charCodeAt(i);
      if (k === 47 || k === 63 || k === 35) break;
      i++;
    }
    if (i === end || s.charCodeAt(i) !== 47) {
      out.path = '/';
      if (i < end && s.charCodeAt(i) === 63) out.query = s.slice(i + 1, end);
      return;
    }
    p = i;
  }
  const q = s.indexOf('?', p);
  if (q !== -1 && q < end) {
    out.path = s.slice(p, q);
    out.query = s.slice(q + 1, end);
  } else {
    out.path = s.slice(p, end);
  }
}

/** Fills method/path/query/protocol from s[start, end); all '' for `-`, empty or junk. */
export function splitRequest(s: string, start: number, end: number, out: RequestTarget): void {
  out.method = '';
  out.path = '';
  out.query = '';
  out.protocol = '';
  let i = start;
  while (i < end && i - start <= MAX_METHOD) {
    const c = s.charCodeAt(i);
    if (c < 65 || c > 90) break;
    i++;
  }
  // A method is a token of A-Z followed by a space and a target; TLS bytes and `-` are not.
  if (i === start || i - start > MAX_METHOD || i + 1 >= end || s.charCodeAt(i) !== 32) return;
  const t = i + 1;
  let te = end;
  const ls = s.lastIndexOf(' ', end - 1);
  if (ls >= t && end - ls >= 7 && s.startsWith('HTTP/', ls + 1)) {
    out.protocol = protocolOf(s, ls + 1, end);
    te = ls;
  }
  while (te > t && s.charCodeAt(te - 1) === 32) te--;
  out.method = methodOf(s, start, i);
  splitTarget(s, t, te, out);
}
