/**
 * Trusted-proxy handling. Behind a load balancer or CDN, the logged client is the proxy; the
 * real client is in X-Forwarded-For. Entries are appended by each proxy, so only the part right
 * of the last untrusted hop is believable: read right to left, skip trusted proxies, take the
 * first address that is not one (an attacker can write anything to the left of it).
 */
import type { ParsedLine, RawIp } from '../core/record.js';
import { appError } from '../core/errors.js';
import { cidrContains, ipToBytes, isIp, isIpv4, parseCidr, type Cidr } from './ip.js';

export interface ClientResolver {
  resolve(line: ParsedLine): void;
}

/**
 * When line.ip is inside one of the CIDRs and line.forwardedFor is set, replace line.ip by the
 * right-most X-Forwarded-For entry that is not itself trusted (invalid entries are skipped).
 * Throws ERR_CONFIG_INVALID for an unreadable CIDR (config validation normally catches it first).
 */
export function createClientResolver(trustedCidrs: readonly string[]): ClientResolver {
  const cidrs: Cidr[] = [];
  for (const text of trustedCidrs) {
    const c = parseCidr(text);
    if (c === null) throw appError('ERR_CONFIG_INVALID', `trusted proxy ${JSON.stringify(text)} is not an IP address or CIDR block like 10.0.0.0/8`);
    cidrs.push(c);
  }
  const buf = new Uint8Array(16);
  const trusted = (s: string, start: number, end: number): boolean => {
    if (!ipToBytes(s, start, end, buf)) return false;
    for (const c of cidrs) if (cidrContains(c, buf)) return true;
    return false;
  };
  return {
    resolve(line: ParsedLine): void {
      const xff = line.forwardedFor;
      if (xff === '' || cidrs.length === 0 || !trusted(line.ip, 0, line.ip.length)) return;
      let end = xff.length;
      while (end > 0) {
        const comma = xff.lastIndexOf(',', end - 1);
        let s = comma + 1;
        let e = end;
        while (s < e && (xff.charCodeAt(s) === 32 || xff.charCodeAt(s) === 9)) s++;
        while (e > s && (xff.charCodeAt(e - 1) === 32 || xff.charCodeAt(e - 1) === 9)) e--;
        // Some proxies add a port: `1.2.3.4:5678`, `[2001:db8::1]:443`.
        if (xff.charCodeAt(s) === 91) {
          const rb = xff.indexOf(']', s);
          if (rb !== -1 && rb < e) {
            s++;
            e = rb;
          }
        } else {
          // One colon after a dotted quad is a port; IPv6 has several.
          const colon = xff.indexOf(':', s);
          if (colon !== -1 && colon < e && isIpv4(xff, s, colon)) e = colon;
        }
        if (e > s && isIp(xff, s, e) && !trusted(xff, s, e)) {
          line.ip = xff.slice(s, e) as RawIp;
          return;
        }
        if (comma === -1) return;
        end = comma;
      }
    },
  };
}
