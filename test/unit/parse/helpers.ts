/** Shared bits of the parse tests. Expected times come from Date.UTC, not from the parser's arithmetic. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyParsedLine, type ParsedLine, type RejectReason } from '../../../src/core/record.js';
import type { LineParser } from '../../../src/parse/index.js';

export const REPO = join(import.meta.dirname, '..', '..', '..');
export const SHARED_LOGS = join(REPO, '..', 'shared', 'data', 'logs');

/** Expected fields of a record, written as plain strings (the brands are for the data path, not tests). */
export type Fields = { [K in keyof ParsedLine]?: ParsedLine[K] extends string ? string : ParsedLine[K] };

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


export function run(parser: LineParser, line: string): ParsedLine | RejectReason {
  const out = emptyParsedLine();
  const r = parser.parse(line, out);
  return r === null ? out : r;
}

/** Parses and insists on success, returning a copy of the record. */
export function ok(parser: LineParser, line: string): ParsedLine {
  const out = emptyParsedLine();
  const r = parser.parse(line, out);
  if (r !== null) throw new Error(`expected the line to parse, got ${r}: ${line.slice(0, 200)}`);
  return { ...out };
}

export function reason(parser: LineParser, line: string): RejectReason | null {
  return parser.parse(line, emptyParsedLine());
}
