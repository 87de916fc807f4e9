/** Shared bits of the parse tests. Expected times come from Date.UTC, not from the parser's arithmetic. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHANNEL_FTP,
  F_IP,
  F_METHOD,
  F_PATH,
  F_PROTOCOL,
  F_QUERY,
  F_REFERRER,
  F_REQUEST,
  F_UA,
  F_USER,
  F_VHOST,
  F_XFF,
  LineFields,
  type ByteLineParser,
  type RejectReason,
} from '../../../src/core/record.js';
import { fieldText, rejectReason } from '../../../src/parse/index.js';

export const REPO = join(import.meta.dirname, '..', '..', '..');
export const SHARED_LOGS = join(REPO, '..', 'shared', 'data', 'logs');

/**
 * Whether ../shared test data is there. Tests that need it skip without it on a developer
 * machine, but CI must have it: a missing path fails the run there.
 */
export function haveShared(path: string): boolean {
  const there = existsSync(path);
  if (!there && process.env.CI === 'true') throw new Error(`${path} is missing: CI must provide ../shared/data`);
  return there;
}

/** A parsed line as plain values, text fields decoded as latin1 (one char per byte). */
export interface Rec {
  ip: string;
  forwardedFor: string;
  user: string;
  request: string;
  time: number;
  day: number;
  date: string;
  hour: number;
  method: string;
  path: string;
  query: string;
  protocol: string;
  status: number;
  bytes: number;
  referrer: string;
  userAgent: string;
  vhost: string;
  channel: 'http' | 'ftp';
  clientIsName: boolean;
  timeTakenUs: number;
}

/** Expected fields of a record. */
export type Fields = Partial<Rec>;

/** Unix seconds of a UTC wall-clock time (month 1-12). */
export function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

/** Lines of a fixture file, read as latin1 (as the source stage does), without the empty last one. */
export function fixtureLines(rel: string): string[] {
  const text = readFileSync(join(REPO, 'fixtures', 'logs', rel), 'latin1');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function recordOf(out: LineFields): Rec {
  return {
    ip: fieldText(out, F_IP),
    forwardedFor: fieldText(out, F_XFF),
    user: fieldText(out, F_USER),
    request: fieldText(out, F_REQUEST),
    time: out.time,
    day: out.day,
    date: new Date(out.day * 86_400_000).toISOString().slice(0, 10),
    hour: out.hour,
    method: fieldText(out, F_METHOD),
    path: fieldText(out, F_PATH),
    query: fieldText(out, F_QUERY),
    protocol: fieldText(out, F_PROTOCOL),
    status: out.status,
    bytes: out.bytes,
    referrer: fieldText(out, F_REFERRER),
    userAgent: fieldText(out, F_UA),
    vhost: fieldText(out, F_VHOST),
    channel: out.channel === CHANNEL_FTP ? 'ftp' : 'http',
    clientIsName: out.clientIsName,
    timeTakenUs: out.timeTakenUs,
  };
}

/**
 * The line's bytes inside a larger buffer with quotes, backslashes, spaces and digits on both
 * sides: a parser that reads outside [start, end) sees them (as it would see the next line).
 */
const FENCE = '"\\ 9:]"';
export function fenced(line: string): { buf: Buffer; start: number; end: number } {
  const buf = Buffer.from(FENCE + line + FENCE, 'latin1');
  return { buf, start: FENCE.length, end: FENCE.length + Buffer.byteLength(line, 'latin1') };
}

/** Parses one line (a latin1 string) with a fresh record; the record or the reason. */
export function run(parser: ByteLineParser, line: string, out = new LineFields()): Rec | RejectReason {
  const { buf, start, end } = fenced(line);
  const r = rejectReason(parser.parse(buf, start, end, out));
  return r === null ? recordOf(out) : r;
}

/** Parses and insists on success. */
export function ok(parser: ByteLineParser, line: string): Rec {
  const r = run(parser, line);
  if (typeof r === 'string') throw new Error(`expected the line to parse, got ${r}: ${line.slice(0, 200)}`);
  return r;
}

export function reason(parser: ByteLineParser, line: string): RejectReason | null {
  const r = run(parser, line);
  return typeof r === 'string' ? r : null;
}

/** Parses and insists on success; the record itself (its ranges point into a fenced buffer). */
export function parsedFields(parser: ByteLineParser, line: string): LineFields {
  const out = new LineFields();
  const { buf, start, end } = fenced(line);
  const code = parser.parse(buf, start, end, out);
  if (code !== 0) throw new Error(`expected the line to parse, got ${rejectReason(code)}: ${line.slice(0, 200)}`);
  return out;
}
