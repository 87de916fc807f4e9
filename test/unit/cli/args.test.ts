import { describe, expect, it } from 'vitest';
import { parse, type Options } from '../../../src/cli/args.js';
import { closest, editDistance } from '../../../src/core/suggest.js';

const OPTIONS = {
  site: { type: 'string' },
  format: { type: 'string' },
  'log-format': { type: 'string' },
  top: { type: 'string' },
  host: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  strict: { type: 'boolean' },
} as const satisfies Options;

function usageError(argv: string[]): string {
  try {
    parse(argv, OPTIONS);
  } catch (e) {
    expect((e as { code?: string }).code).toBe('ERR_USAGE');
    return (e as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('flag parsing', () => {
  it('suggests the closest flag of the command for an unknown one', () => {
    expect(usageError(['--fromat', 'combined'])).toBe('unknown flag --fromat; did you mean --format?');
    expect(usageError(['--stirct'])).toBe('unknown flag --stirct; did you mean --strict?');
    expect(usageError(['--log-fromat=%h'])).toBe('unknown flag --log-fromat; did you mean --log-format?');
    // Nothing close: no guess.
    expect(usageError(['--verbose'])).toBe('unknown flag --verbose');
    expect(usageError(['-x'])).toBe('unknown flag -x');
    expect(usageError(['-qx'])).toBe('unknown flag -x');
    expect(usageError(['-site', 's'])).toBe('unknown flag -site; did you mean --site?');
  });

  it('lets a value that starts with a dash reach the flag (its own check words the error)', () => {
    expect(parse(['--top', '-3'], OPTIONS).values.top).toBe('-3');
    expect(parse(['--site', '-'], OPTIONS).values.site).toBe('-');
  });

  it('names a missing value instead of taking the next flag as it', () => {
    expect(usageError(['--site'])).toBe('--site needs a value');
    expect(usageError(['--site', '--strict'])).toBe('--site needs a value (got the flag --strict)');
    expect(usageError(['--quiet=yes'])).toBe('--quiet takes no value');
  });

  it('accepts -q like --quiet, -h like --help, grouped short flags, and positionals after --', () => {
    expect(parse(['-q', 'a.log'], OPTIONS)).toMatchObject({ values: { quiet: true }, positionals: ['a.log'] });
    expect(parse(['-qh'], OPTIONS).values).toMatchObject({ quiet: true, help: true });
    expect(parse(['--host', 'a.example', '--host=b.example'], OPTIONS).values.host).toEqual(['a.example', 'b.example']);
    expect(parse(['--', '--not-a-flag'], OPTIONS).positionals).toEqual(['--not-a-flag']);
  });
});

describe('suggestions', () => {
  it('counts a swap of neighbours as one edit, case-insensitively', () => {
    expect(editDistance('fromat', 'format')).toBe(1);
    expect(editDistance('FORMAT', 'format')).toBe(0);
    expect(editDistance('ingets', 'ingest')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only a name within one edit per three characters', () => {
    expect(closest('stie', ['site', 'store'])).toBe('site');
    expect(closest('xyz', ['site', 'store'])).toBeNull();
    expect(closest('repotr', ['report', 'retention'])).toBe('report');
  });
});
