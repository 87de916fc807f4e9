/**
 * Small hashes for the hot path. `keyedHash52` is the only one that protects anything: it is a
 * SHA-256 over a secret and the value, so without the secret a stored hash cannot be tested
 * against candidate addresses. The others only mix already-keyed values or spread strings.
 */
import { hash } from 'node:crypto';

/** 52 bits of SHA-256(secret ‖ value), as an exact JS number (a Map key without allocation). */
export function keyedHash52(secret: string, value: string): number {
  const hex = hash('sha256', secret + value, 'hex');
  return parseInt(hex.slice(0, 13), 16);
}

/** FNV-1a over a string's char codes (latin1 byte strings: one char, one byte). */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Combine a keyed 52-bit address hash with a User-Agent hash into a 52-bit visitor id. For one
 * address, distinct User-Agent hashes give distinct ids (both mixing steps are bijective).
 */
export function visitorId(ipHash: number, uaHash: number): number {
  const lo = ipHash % 4294967296 >>> 0;
  const hi = Math.floor(ipHash / 4294967296) >>> 0;
  let a = Math.imul(lo ^ uaHash, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  let b = Math.imul(hi ^ Math.imul(uaHash, 0x9e3779b1) ^ a, 0x27d4eb2f);
  b ^= b >>> 15;
  return (b & 0xfffff) * 4294967296 + (a >>> 0);
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** A short readable pseudonym from a 52-bit hash: 10 base32 chars. */
export function pseudonymText(prefix: string, h: number): string {
  let s = prefix;
  let v = h;
  for (let i = 0; i < 10; i++) {
    s += B32[v % 32];
    v = Math.floor(v / 32);
  }
  return s;
}
