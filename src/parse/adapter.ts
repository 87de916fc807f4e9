/**
 * The string API on top of the byte parsers, for callers that hold one line as a latin1 string
 * (the anonymising filter's xferlog mode, `weblog validate`, the peer tests); the ingest engine
 * reads bytes and does not use it. Encode the line into a reused buffer, parse the bytes, and
 * fill the reused ParsedLine. Ranges into the line are slices of the string itself (latin1: one
 * char per byte, so byte offsets are string offsets); rewritten values are decoded from scratch.
 */
import {
  F_IP,
  F_METHOD,
  F_PATH,
  F_PROTOCOL,
  F_QUERY,
  F_REFERRER,
  F_UA,
  F_USER,
  F_VHOST,
  F_XFF,
  CHANNEL_FTP,
  TEXT_FIELDS,
  LineFields,
  emptyParsedLine,
  type ByteLineParser,
  type ParsedLine,
  type RawIp,
  type RawUser,
  type RejectReason,
} from '../core/record.js';
import { createByteClientResolver } from './client-resolver.js';
import { detectOrExplain } from './detect.js';
import type { PresetName } from './presets.js';
import { MAX_LINE_LENGTH, resetFields, setField } from './fields.js';
import { rejectReason } from './reject.js';
import { dateOfDays } from './time.js';

export interface LineParser {
  /** Name of the format, e.g. 'combined' or 'apache:<template>'. */
  readonly format: string;
  /** True when lines carry a vhost (then routing by vhost is possible). */
  readonly hasVhost: boolean;
  /** Fill `out` from one line (a latin1 byte string, no '\n'; a trailing '\r' is tolerated and stripped).
   *  Returns null when parsed, else the reason. Never throws, for ANY input string. Resets every field of `out`. */
  parse(line: string, out: ParsedLine): RejectReason | null;
}

const EMPTY: ParsedLine = emptyParsedLine();

/** A string LineParser running `bytes` underneath. */
export class StringLineParser implements LineParser {
  readonly format: string;
  readonly hasVhost: boolean;
  readonly bytes: ByteLineParser;
  readonly #fields = new LineFields();
  #buf = Buffer.alloc(4096);
  #scratchView: Buffer = Buffer.alloc(0);
  #day = Number.NaN;
  #date = '';
  /** Per field, the last rewritten value decoded from scratch (up to 64 bytes) and its text. */
  readonly #lastBytes = Array.from({ length: TEXT_FIELDS }, () => new Uint8Array(64));
  readonly #lastLength = new Int32Array(TEXT_FIELDS).fill(-1);
  readonly #lastText: string[] = new Array<string>(TEXT_FIELDS).fill('');

  constructor(bytes: ByteLineParser) {
    this.bytes = bytes;
    this.format = bytes.format;
    this.hasVhost = bytes.hasVhost;
  }

  parse(line: string, out: ParsedLine): RejectReason | null {
    // One byte past the limit is enough for the parser to say 'too_long'.
    const n = Math.min(line.length, MAX_LINE_LENGTH + 1);
    if (n > this.#buf.length) this.#buf = Buffer.alloc(Math.max(n, this.#buf.length * 2));
    this.#buf.write(line, 0, n, 'latin1');
    const f = this.#fields;
    const code = this.bytes.parse(this.#buf, 0, n, f);
    if (code !== 0) {
      Object.assign(out, EMPTY);
      return rejectReason(code);
    }
    out.ip = this.#text(line, F_IP) as RawIp;
    out.forwardedFor = this.#text(line, F_XFF) as RawIp;
    out.user = this.#text(line, F_USER) as RawUser;
    out.time = f.time;
    if (f.day !== this.#day) {
      this.#day = f.day;
      this.#date = dateOfDays(f.day);
    }
    out.date = this.#date;
    out.hour = f.hour;
    out.method = this.#text(line, F_METHOD);
    out.path = this.#text(line, F_PATH);
    out.query = this.#text(line, F_QUERY);
    out.protocol = this.#text(line, F_PROTOCOL);
    out.status = f.status;
    out.bytes = f.bytes;
    out.referrer = this.#text(line, F_REFERRER);
    out.userAgent = this.#text(line, F_UA);
    out.vhost = this.#text(line, F_VHOST);
    out.channel = f.channel === CHANNEL_FTP ? 'ftp' : 'http';
    return null;
  }

  #text(line: string, field: number): string {
    const f = this.#fields;
    const s = f.start[field]!;
    const e = f.end[field]!;
    if (s === e) return '';
    if (f.inScratch[field] === 0) return line.slice(s, e);
    // Rewritten values repeat (xferlog's RETR, a lower-cased vhost): decode only when they change.
    const sc = f.scratch;
    const n = e - s;
    const last = this.#lastBytes[field]!;
    if (n === this.#lastLength[field] && n <= last.length) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (sc[s + i] !== last[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.#lastText[field]!;
    }
    if (this.#scratchView.buffer !== sc.buffer) this.#scratchView = Buffer.from(sc.buffer, sc.byteOffset, sc.length);
    const text = this.#scratchView.toString('latin1', s, e);
    if (n <= last.length) {
      last.set(sc.subarray(s, e));
      this.#lastLength[field] = n;
      this.#lastText[field] = text;
    }
    return text;
  }
}

export interface ClientResolver {
  resolve(line: ParsedLine): void;
}

/**
 * The trusted-proxy rule (client-resolver.ts) for a ParsedLine: its address and X-Forwarded-For
 * are written side by side into a buffer and resolved as bytes.
 */
export function createClientResolver(trustedCidrs: readonly string[]): ClientResolver {
  const bytes = createByteClientResolver(trustedCidrs);
  const fields = new LineFields();
  let buf = Buffer.alloc(256);
  return {
    resolve(line: ParsedLine): void {
      const ip = line.ip;
      const xff = line.forwardedFor;
      if (xff === '') return;
      const n = ip.length + xff.length;
      if (n > buf.length) buf = Buffer.alloc(Math.max(n, buf.length * 2));
      buf.write(ip, 0, ip.length, 'latin1');
      buf.write(xff, ip.length, xff.length, 'latin1');
      resetFields(fields, buf);
      setField(fields, F_IP, 0, ip.length, 0);
      setField(fields, F_XFF, ip.length, n, 0);
      bytes.resolve(fields);
      const s = fields.start[F_IP]!;
      if (s !== 0) line.ip = xff.slice(s - ip.length, fields.end[F_IP]! - ip.length) as RawIp;
    },
  };
}

/** detectOrExplain (detect.ts) with the detected format as a string LineParser. */
export function detectLineParser(head: Uint8Array): { name: PresetName; parser: LineParser; parsed: number; sampled: number } {
  const d = detectOrExplain(head);
  return { name: d.name, parser: new StringLineParser(d.parser), parsed: d.parsed, sampled: d.sampled };
}
