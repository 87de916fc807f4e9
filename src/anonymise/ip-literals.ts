/**
 * Every IPv4 and IPv6 address written anywhere in a piece of text: what the anonymising filter
 * masks in a line it cannot read (issue 13, item 3: a privacy filter fails closed, so a format
 * mismatch must not let addresses through). Errs towards finding too much: an address inside a
 * URL, after a `host:port` prefix, in brackets, with a port, or IPv4-mapped IPv6 is found too.
 *
 * IPv6: runs of hex digits, colons and dots with at least two colons that parse as an address
 * (so times like 10:00:00 and MAC addresses do not). IPv4: runs of digits and dots that are
 * exactly four numbers of at most 255, outside the IPv6 addresses found.
 */
import { ipv6Groups } from './ip-mask.js';

export interface IpLiteral {
  readonly start: number;
  readonly end: number;
  readonly v6: boolean;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIpv4(s: string, start: number, end: number): boolean {
  let parts = 0;
  let digits = 0;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      v = v * 10 + (c - 48);
      if (++digits > 3 || v > 255) return false;
    } else {
      if (digits === 0) return false;
      parts++;
      digits = 0;
      v = 0;
    }
  }
  return digits > 0 && parts === 3;
}

/** The addresses in `s`, in order, not overlapping. */
export function findIpLiterals(s: string): IpLiteral[] {
  const v6: IpLiteral[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (!isHex(c) && c !== 58 && c !== 46) {
      i++;
      continue;
    }
    let j = i;
    let colons = 0;
    let hex = false;
    for (; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === 58) colons++;
      else if (isHex(d)) hex = true;
      else if (d !== 46) break;
    }
    if (colons >= 2 && hex) {
      // A sentence's full stop or a port's colon may end the run: try without them.
      let end = j;
      while (end > i && (s.charCodeAt(end - 1) === 46 || s.charCodeAt(end - 1) === 58) && ipv6Groups(s.slice(i, end)) === null) end--;
      let start = i;
      while (start < end && s.charCodeAt(start) === 46) start++;
      if (end - start >= 2 && ipv6Groups(s.slice(start, end)) !== null) v6.push({ start, end, v6: true });
    }
    i = j;
  }
  const out: IpLiteral[] = [];
  let k = 0;
  for (let i = 0; i < s.length; ) {
    while (k < v6.length && v6[k]!.end <= i) out.push(v6[k++]!);
    if (k < v6.length && i >= v6[k]!.start) {
      i = v6[k]!.end;
      continue;
    }
    if (!isDigit(s.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    while (j < s.length && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) === 46)) j++;
    const limit = k < v6.length ? Math.min(j, v6[k]!.start) : j;
    let end = limit;
    while (end > i && s.charCodeAt(end - 1) === 46) end--;
    if (isIpv4(s, i, end)) out.push({ start: i, end, v6: false });
    i = limit;
  }
  while (k < v6.length) out.push(v6[k++]!);
  return out;
}
