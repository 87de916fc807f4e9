/**
 * xferlog (wu-ftpd's format, written by vsftpd, ProFTPD and Pure-FTPd): one line per transfer,
 *
 *   Mon Oct 12 13:55:36 2020 1 192.0.2.1 1234 /path/with spaces/file.txt b _ o r alice ftp 0 * c
 *
 * The file name may contain spaces, so the fixed fields are read from the left and the last
 * nine (or eight: some servers omit completion-status) from the right.
 */
import type { ParsedLine, RawIp, RawUser, RejectReason } from '../core/record.js';
import type { LineParser } from './parser.js';
import { isIp } from './ip.js';
import { MAX_LINE_LENGTH, isBlank, parseBytes, resetParsedLine } from './fields.js';
import { daysFromCivil, formatDate, isValidDate, monthFromAbbr } from './time.js';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  const l = c | 32;
  return l >= 97 && l <= 122;
}

/** Two ASCII digits at s[p], or -1. */
function num2(s: string, p: number): number {
  const a = s.charCodeAt(p) - 48;
  const b = s.charCodeAt(p + 1) - 48;
  return a >>> 0 > 9 || b >>> 0 > 9 ? -1 : a * 10 + b;
}

/** Whether trailing token `k` (counted from the right) is one of the single chars in `chars`. */
function tokIs(s: string, tok: Int32Array, k: number, chars: string): boolean {
  const start = tok[2 * k]!;
  return tok[2 * k + 1]! - start === 1 && chars.includes(s[start]!);
}

export class XferlogParser implements LineParser {
  readonly format = 'xferlog';
  readonly hasVhost = false;
  /** Start and end of the last nine space-separated tokens, right to left. */
  readonly #tok = new Int32Array(18);
  #dateKey = -1;
  #date = '';

  parse(line: string, out: ParsedLine): RejectReason | null {
    resetParsedLine(out);
    out.channel = 'ftp';
    let len = line.length;
    if (len > MAX_LINE_LENGTH) return 'too_long';
    if (len > 0 && line.charCodeAt(len - 1) === 13) line = line.slice(0, --len);
    while (len > 0 && (line.charCodeAt(len - 1) === 32 || line.charCodeAt(len - 1) === 9)) len--;
    if (len === 0 || isBlank(line)) return 'empty';

    // "Mon Oct 12 13:55:36 2020": ctime layout, the day padded with a space when < 10.
    if (len < 24) return 'missing_field';
    if (!isLetter(line.charCodeAt(0)) || !isLetter(line.charCodeAt(1)) || !isLetter(line.charCodeAt(2)) || line.charCodeAt(3) !== 32) {
      return 'bad_time';
    }
    const month = monthFromAbbr(line, 4);
    if (month === 0 || line.charCodeAt(7) !== 32) return 'bad_time';
    let p = 8;
    if (line.charCodeAt(p) === 32) p++;
    let day = 0;
    const ds = p;
    while (p < len && isDigit(line.charCodeAt(p)) && p - ds < 2) day = day * 10 + (line.charCodeAt(p++) - 48);
    if (p === ds || line.charCodeAt(p) !== 32) return 'bad_time';
    p++;
    if (p + 14 > len) return 'missing_field';
    const hh = num2(line, p);
    const mi = num2(line, p + 3);
    const ss = num2(line, p + 6);
    const y1 = num2(line, p + 9);
    const y2 = num2(line, p + 11);
    if (hh < 0 || mi < 0 || ss < 0 || y1 < 0 || y2 < 0) return 'bad_time';
    const year = y1 * 100 + y2;
    if (line.charCodeAt(p + 2) !== 58 || line.charCodeAt(p + 5) !== 58 || line.charCodeAt(p + 8) !== 32 || line.charCodeAt(p + 13) !== 32) {
      return 'bad_time';
    }
    if (hh > 23 || mi > 59 || ss > 60 || !isValidDate(year, month, day)) return 'bad_time';
    p += 14;
    const days = daysFromCivil(year, month, day);
    if (days !== this.#dateKey) {
      this.#dateKey = days;
      this.#date = formatDate(year, month, day);
    }
    // No zone in xferlog: the time is taken as UTC.
    out.time = days * 86400 + hh * 3600 + mi * 60 + ss;
    out.date = this.#date;
    out.hour = hh;

    // transfer-time, remote-host, file-size
    let sp = line.indexOf(' ', p);
    if (sp === -1 || sp >= len) return 'missing_field';
    p = sp + 1;
    sp = line.indexOf(' ', p);
    if (sp === -1 || sp >= len) return 'missing_field';
    if (!isIp(line, p, sp)) return 'bad_ip';
    const ipStart = p;
    const ipEnd = sp;
    p = sp + 1;
    sp = line.indexOf(' ', p);
    if (sp === -1 || sp >= len) return 'missing_field';
    const size = parseBytes(line, p, sp);
    if (size < 0) return 'bad_bytes';
    const nameStart = sp + 1;

    // The trailing tokens, right to left, never past the start of the file name.
    const tok = this.#tok;
    let e = len;
    let n = 0;
    while (n < 9 && e > nameStart) {
      const s = line.lastIndexOf(' ', e - 1);
      const ts = s < nameStart ? nameStart : s + 1;
      tok[2 * n] = ts;
      tok[2 * n + 1] = e;
      n++;
      if (s < nameStart) {
        e = nameStart - 1;
        break;
      }
      e = s;
    }
    // Token k from the right is tok[2k], tok[2k+1].
    let trailing: number;
    if (n === 9 && tokIs(line, tok, 8, 'ab') && tokIs(line, tok, 6, 'oid') && tokIs(line, tok, 5, 'agr') && tokIs(line, tok, 0, 'ci')) {
      trailing = 9;
    } else if (n >= 8 && tokIs(line, tok, 7, 'ab') && tokIs(line, tok, 5, 'oid') && tokIs(line, tok, 4, 'agr')) {
      trailing = 8;
    }
    else return n < 8 ? 'missing_field' : 'format_mismatch';
    // The file name ends before the first trailing token (and its separating space).
    const nameEnd = tok[2 * (trailing - 1)]! - 1;
    if (nameEnd <= nameStart) return 'missing_field';

    const dir = line.charCodeAt(tok[2 * (trailing - 3)]!);
    const mode = line.charCodeAt(tok[2 * (trailing - 4)]!);
    out.method = dir === 111 ? 'RETR' : dir === 105 ? 'STOR' : 'DELE';
    out.status = trailing === 9 && line.charCodeAt(tok[0]!) === 105 ? 426 : 226;
    // An anonymous login's "user name" is the e-mail address typed as password: never kept.
    if (mode !== 97) {
      const us = tok[2 * (trailing - 5)]!;
      const ue = tok[2 * (trailing - 5) + 1]!;
      const dash = ue - us === 1 && (line.charCodeAt(us) === 45 || line.charCodeAt(us) === 42);
      out.user = (dash ? '' : line.slice(us, ue)) as RawUser;
    }
    out.ip = line.slice(ipStart, ipEnd) as RawIp;
    out.bytes = size;
    out.path = line.slice(nameStart, nameEnd);
    return null;
  }
}
