/**
 * xferlog (wu-ftpd's format, written by vsftpd, ProFTPD and Pure-FTPd): one line per transfer,
 *
 *   Mon Oct 12 13:55:36 2020 1 192.0.2.1 1234 /path/with spaces/file.txt b _ o r alice ftp 0 * c
 *
 * The file name may contain spaces, so the fixed fields are read from the left and the last
 * nine (or eight: some servers omit completion-status) from the right. The remote host is an
 * address, or a host name (wu-ftpd resolves it).
 */
import { CHANNEL_FTP, F_IP, F_METHOD, F_PATH, F_USER, type ByteLineParser, type LineFields } from '../core/line-fields.js';
import { isIp } from './ip.js';
import { isHostName } from './host-name.js';
import { MAX_LINE_LENGTH, isBlank, parseBytes, resetFields, setField } from './fields.js';
import { appendAscii } from './scratch.js';
import { daysFromCivil, isValidDate, monthFromAbbr } from './time.js';
import { R_BAD_BYTES, R_BAD_IP, R_BAD_TIME, R_EMPTY, R_FORMAT_MISMATCH, R_MISSING_FIELD, R_OK, R_TOO_LONG } from './reject.js';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  const l = c | 32;
  return l >= 97 && l <= 122;
}

/** Two ASCII digits at b[p], or -1. */
function num2(b: Uint8Array, p: number): number {
  const x = b[p]! - 48;
  const y = b[p + 1]! - 48;
  return x >>> 0 > 9 || y >>> 0 > 9 ? -1 : x * 10 + y;
}

/** The next space in b[from, end), or -1. */
function spaceAt(b: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) if (b[i] === 32) return i;
  return -1;
}

/** FTP commands for the directions o, i and d. */
const RETR = Buffer.from('RETR', 'latin1');
const STOR = Buffer.from('STOR', 'latin1');
const DELE = Buffer.from('DELE', 'latin1');

export class XferlogParser implements ByteLineParser {
  readonly format = 'xferlog';
  readonly hasVhost = false;
  /** Start and end of the last nine space-separated tokens, right to left. */
  readonly #tok = new Int32Array(18);

  /** Whether trailing token `k` (counted from the right) is one byte of `c1`, `c2` or `c3`. */
  #tokIs(b: Uint8Array, k: number, c1: number, c2: number, c3: number): boolean {
    const start = this.#tok[2 * k]!;
    if (this.#tok[2 * k + 1]! - start !== 1) return false;
    const c = b[start];
    return c === c1 || c === c2 || c === c3;
  }

  parse(b: Uint8Array, start: number, end: number, out: LineFields): number {
    resetFields(out, b);
    out.channel = CHANNEL_FTP;
    if (end - start > MAX_LINE_LENGTH) return R_TOO_LONG;
    if (end > start && b[end - 1] === 13) end--;
    while (end > start && (b[end - 1] === 32 || b[end - 1] === 9)) end--;
    if (end === start || isBlank(b, start, end)) return R_EMPTY;

    // "Mon Oct 12 13:55:36 2020": ctime layout, the day padded with a space when < 10.
    if (end - start < 24) return R_MISSING_FIELD;
    if (!isLetter(b[start]!) || !isLetter(b[start + 1]!) || !isLetter(b[start + 2]!) || b[start + 3] !== 32) return R_BAD_TIME;
    const month = monthFromAbbr(b, start + 4, end);
    if (month === 0 || b[start + 7] !== 32) return R_BAD_TIME;
    let p = start + 8;
    if (b[p] === 32) p++;
    let day = 0;
    const ds = p;
    while (p < end && isDigit(b[p]!) && p - ds < 2) day = day * 10 + (b[p++]! - 48);
    if (p === ds || b[p] !== 32) return R_BAD_TIME;
    p++;
    if (p + 14 > end) return R_MISSING_FIELD;
    const hh = num2(b, p);
    const mi = num2(b, p + 3);
    const ss = num2(b, p + 6);
    const y1 = num2(b, p + 9);
    const y2 = num2(b, p + 11);
    if (hh < 0 || mi < 0 || ss < 0 || y1 < 0 || y2 < 0) return R_BAD_TIME;
    const year = y1 * 100 + y2;
    if (b[p + 2] !== 58 || b[p + 5] !== 58 || b[p + 8] !== 32 || b[p + 13] !== 32) return R_BAD_TIME;
    if (hh > 23 || mi > 59 || ss > 60 || !isValidDate(year, month, day)) return R_BAD_TIME;
    p += 14;
    const days = daysFromCivil(year, month, day);
    // No zone in xferlog: the time is taken as UTC.
    out.time = days * 86400 + hh * 3600 + mi * 60 + ss;
    out.day = days;
    out.hour = hh;

    // transfer-time, remote-host, file-size
    let sp = spaceAt(b, p, end);
    if (sp === -1) return R_MISSING_FIELD;
    p = sp + 1;
    sp = spaceAt(b, p, end);
    if (sp === -1) return R_MISSING_FIELD;
    const ipStart = p;
    const ipEnd = sp;
    if (!isIp(b, ipStart, ipEnd)) {
      if (!isHostName(b, ipStart, ipEnd)) return R_BAD_IP;
      out.clientIsName = true;
    }
    p = sp + 1;
    sp = spaceAt(b, p, end);
    if (sp === -1) return R_MISSING_FIELD;
    const size = parseBytes(b, p, sp);
    if (size < 0) return R_BAD_BYTES;
    const nameStart = sp + 1;

    // The trailing tokens, right to left, never past the start of the file name.
    const tok = this.#tok;
    let e = end;
    let n = 0;
    while (n < 9 && e > nameStart) {
      let s = e - 1;
      while (s >= nameStart && b[s] !== 32) s--;
      tok[2 * n] = s < nameStart ? nameStart : s + 1;
      tok[2 * n + 1] = e;
      n++;
      if (s < nameStart) break;
      e = s;
    }
    // Token k from the right: b (binary) / a (ascii) type, o/i/d direction, a/g/r access mode, c/i completion.
    let trailing: number;
    if (n === 9 && this.#tokIs(b, 8, 97, 98, 98) && this.#tokIs(b, 6, 111, 105, 100) && this.#tokIs(b, 5, 97, 103, 114) && this.#tokIs(b, 0, 99, 105, 105)) {
      trailing = 9;
    } else if (n >= 8 && this.#tokIs(b, 7, 97, 98, 98) && this.#tokIs(b, 5, 111, 105, 100) && this.#tokIs(b, 4, 97, 103, 114)) {
      trailing = 8;
    } else return n < 8 ? R_MISSING_FIELD : R_FORMAT_MISMATCH;
    // The file name ends before the first trailing token (and its separating space).
    const nameEnd = tok[2 * (trailing - 1)]! - 1;
    if (nameEnd <= nameStart) return R_MISSING_FIELD;

    const dir = b[tok[2 * (trailing - 3)]!];
    const mode = b[tok[2 * (trailing - 4)]!];
    const from = out.scratchUsed;
    setField(out, F_METHOD, from, appendAscii(out, dir === 111 ? RETR : dir === 105 ? STOR : DELE), 1);
    out.status = trailing === 9 && b[tok[0]!] === 105 ? 426 : 226;
    // An anonymous login's "user name" is the e-mail address typed as password: never kept.
    if (mode !== 97) {
      const us = tok[2 * (trailing - 5)]!;
      const ue = tok[2 * (trailing - 5) + 1]!;
      const dash = ue - us === 1 && (b[us] === 45 || b[us] === 42);
      if (!dash) setField(out, F_USER, us, ue, 0);
    }
    setField(out, F_IP, ipStart, ipEnd, 0);
    out.bytes = size;
    setField(out, F_PATH, nameStart, nameEnd, 0);
    return R_OK;
  }
}
