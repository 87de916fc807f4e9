/**
 * Trusted-proxy handling. Behind a load balancer or CDN, the logged client is the proxy; the
 * real client is in X-Forwarded-For. Entries are appended by each proxy, so only the part right
 * of the last untrusted hop is believable: read right to left, skip trusted proxies, take the
 * first address that is not one (an attacker can write anything to the left of it).
 */
import { F_IP, F_XFF, type LineFields } from '../core/line-fields.js';
import { appError } from '../core/errors.js';
import { cidrContains, ipToBytes, isIp, isIpv4, parseCidr, type Cidr } from './ip.js';

export interface ByteClientResolver {
  /**
   * When F_IP is inside one of the CIDRs and F_XFF is set, point F_IP at the right-most
   * X-Forwarded-For entry that is not itself trusted (invalid entries are skipped).
   */
  resolve(out: LineFields): void;
}

function isBlankByte(c: number): boolean {
  return c === 32 || c === 9;
}

/** Throws ERR_CONFIG_INVALID for an unreadable CIDR (config validation normally catches it first). */
export function createByteClientResolver(trustedCidrs: readonly string[]): ByteClientResolver {
  const cidrs: Cidr[] = [];
  for (const text of trustedCidrs) {
    const c = parseCidr(text);
    if (c === null) throw appError('ERR_CONFIG_INVALID', `trusted proxy ${JSON.stringify(text)} is not an IP address or CIDR block like 10.0.0.0/8`);
    cidrs.push(c);
  }
  const addr = new Uint8Array(16);
  const trusted = (b: Uint8Array, start: number, end: number): boolean => {
    if (!ipToBytes(b, start, end, addr)) return false;
    for (const c of cidrs) if (cidrContains(c, addr)) return true;
    return false;
  };
  return {
    resolve(out: LineFields): void {
      const xs = out.start[F_XFF]!;
      const xe = out.end[F_XFF]!;
      if (xs === xe || cidrs.length === 0) return;
      const peer = out.inScratch[F_IP] === 1 ? out.scratch : out.src;
      if (out.clientIsName || !trusted(peer, out.start[F_IP]!, out.end[F_IP]!)) return;
      const inScratch = out.inScratch[F_XFF]!;
      const x = inScratch === 1 ? out.scratch : out.src;
      let end = xe;
      while (end > xs) {
        let comma = end - 1;
        while (comma >= xs && x[comma] !== 44) comma--;
        let s = comma + 1;
        let e = end;
        while (s < e && isBlankByte(x[s]!)) s++;
        while (e > s && isBlankByte(x[e - 1]!)) e--;
        // Some proxies add a port: `1.2.3.4:5678`, `[2001:db8::1]:443`.
        if (s < e && x[s] === 91) {
          let rb = s;
          while (rb < e && x[rb] !== 93) rb++;
          if (rb < e) {
            s++;
            e = rb;
          }
        } else {
          // One colon after a dotted quad is a port; IPv6 has several.
          let colon = s;
          while (colon < e && x[colon] !== 58) colon++;
          if (colon < e && isIpv4(x, s, colon)) e = colon;
        }
        if (e > s && isIp(x, s, e) && !trusted(x, s, e)) {
          out.start[F_IP] = s;
          out.end[F_IP] = e;
          out.inScratch[F_IP] = inScratch;
          out.clientIsName = false;
          return;
        }
        if (comma < xs) return;
        end = comma;
      }
    },
  };
}
