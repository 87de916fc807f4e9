/**
 * Host names as clients: with Apache's `HostnameLookups On`, `%h` is the client's DNS name
 * (`pool-71-104-40-142.lsanca.dsl-w.verizon.net`, `ppp31.example.com`, `localhost`). A name is
 * accepted when it is syntactically a host name (RFC 952/1123: labels of letters, digits and
 * hyphens, 1-63 bytes, no hyphen at either end, 253 bytes in all, an optional final dot) and its
 * last label is not all digits (RFC 3696 §2), so a malformed address such as `1.2.3.256` or
 * `01.2.3.4` is still no client.
 */

/** Whether b[start, end) is a syntactically valid DNS host name. */
export function isHostName(b: Uint8Array, start: number, end: number): boolean {
  let e = end;
  // A fully qualified name may end with the root's dot.
  if (e > start && b[e - 1] === 46) e--;
  if (e === start || e - start > 253) return false;
  let labelStart = start;
  let digitsOnly = true;
  for (let i = start; i <= e; i++) {
    if (i === e || b[i] === 46) {
      const n = i - labelStart;
      if (n === 0 || n > 63 || b[labelStart] === 45 || b[i - 1] === 45) return false;
      if (i === e) return !digitsOnly;
      labelStart = i + 1;
      digitsOnly = true;
      continue;
    }
    const c = b[i]!;
    if (c >= 48 && c <= 57) continue;
    const l = c | 32;
    if ((l >= 97 && l <= 122) || c === 45) digitsOnly = false;
    else return false;
  }
  return false;
}
