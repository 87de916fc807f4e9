/** Flag parsing shared by the subcommands: node's parseArgs, with usage errors as AppErrors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { appError } from '../core/errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw appError('ERR_USAGE', (e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

/** `--help`: the command's help on stdout, exit 0. */
export function printHelp(io: { stdout: NodeJS.WritableStream }, help: string): number {
  io.stdout.write(`${help}\n`);
  return 0;
}

export function intFlag(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw appError('ERR_USAGE', `--${name} must be a whole number from ${min} to ${max} (got "${v}")`);
  return n;
}

export function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw appError('ERR_USAGE', `--${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  return v as T;
}

export function dateFlag(name: string, v: string | undefined): string | null {
  if (v === undefined) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== v) throw appError('ERR_USAGE', `--${name} must be a date YYYY-MM-DD (got "${v}")`);
  return v;
}
