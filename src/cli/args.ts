/**
 * Flag parsing shared by the subcommands: node's parseArgs, with usage errors as AppErrors in
 * plain words. Every flag problem is found here, before parseArgs, against the command's own
 * flags: an unknown flag gets a "did you mean", a value that starts with a dash (`--top -3`)
 * reaches the flag's own check, a missing value is named.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { appError } from '../core/errors.js';
import { closest } from '../core/suggest.js';

export type Options = NonNullable<ParseArgsConfig['options']>;
type OptionSpec = Options[string];

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

function unknownFlag(token: string, options: Options): Error {
  // A long name behind a single dash (`-site`) is a long flag mistyped; a letter is just unknown.
  const name = token.replace(/^--?/, '');
  const best = name.length > 1 ? closest(name, Object.keys(options)) : null;
  return appError('ERR_USAGE', `unknown flag ${token}${best !== null ? `; did you mean --${best}?` : ''}`);
}

/** Checks every flag token and rewrites `--flag -value` as `--flag=-value` for a value-taking flag. */
function prepare(argv: readonly string[], options: Options): string[] {
  const byShort = new Map<string, [string, OptionSpec]>();
  for (const [name, o] of Object.entries(options)) if (o.short) byShort.set(o.short, [name, o]);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (token === '-' || !token.startsWith('-')) {
      out.push(token);
      continue;
    }
    let name: string;
    let spec: OptionSpec | undefined;
    let inline: boolean;
    let before = '';
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      inline = eq >= 0;
      spec = Object.hasOwn(options, name) ? options[name] : undefined;
      if (spec === undefined) throw unknownFlag(eq < 0 ? token : token.slice(0, eq), options);
    } else {
      // Short flags: `-q`, or grouped `-hq`; only the last of a group may take a value.
      for (const ch of token.slice(1)) if (!byShort.has(ch)) throw unknownFlag(token.length > 2 && !byShort.has(token[1]!) ? token : `-${ch}`, options);
      [name, spec] = byShort.get(token.slice(-1))!;
      inline = false;
      if (token.length > 2) before = token.slice(0, -1);
    }
    if (spec.type === 'boolean') {
      if (inline) throw appError('ERR_USAGE', `--${name} takes no value`);
      out.push(token);
      continue;
    }
    if (inline) {
      out.push(token);
      continue;
    }
    if (before !== '') out.push(before);
    const value = argv[i + 1];
    if (value === undefined || value === '--') throw appError('ERR_USAGE', `--${name} needs a value`);
    // Another flag where the value belongs: say so, rather than take the flag as the value.
    if (value.startsWith('--') && Object.hasOwn(options, value.slice(2).split('=')[0]!)) throw appError('ERR_USAGE', `--${name} needs a value (got the flag ${value})`);
    out.push(`--${name}=${value}`);
    i++;
  }
  return out;
}

export function parse<O extends Options>(argv: string[], options: O) {
  const all = { ...options, ...HELP };
  const args = prepare(argv, all);
  try {
    return parseArgs({ args, options: all, allowPositionals: true, strict: true });
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
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw appError('ERR_USAGE', `--${name} must be a whole number from ${min} to ${max} (got "${v}")`);
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
