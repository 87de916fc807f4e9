import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, ERRORS } from '../../src/core/errors.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'errors.md'), 'utf8');

describe('error registry', () => {
  it('documents every code, and documents no code that does not exist', () => {
    const codes = Object.keys(ERRORS).sort();
    const documented = [...doc.matchAll(/^\| `(ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(codes);
  });

  it('documents the HTTP status of every code as the registry has it (one place per status)', () => {
    const documented = Object.fromEntries([...doc.matchAll(/^\| `(ERR_[A-Z_]+)` \| [12] \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
    const registry = Object.fromEntries(Object.keys(ERRORS).map((c) => [c, new AppError(c as keyof typeof ERRORS).httpStatus]));
    expect(documented).toEqual(registry);
  });

  it('formats messages and carries code, hint and exit category', () => {
    const e = new AppError('ERR_SOURCE_OPEN', ['/x.log', 'ENOENT']);
    expect(e.message).toBe('cannot open /x.log: ENOENT');
    expect(e.code).toBe('ERR_SOURCE_OPEN');
    expect(e.exit).toBe(1);
    expect(new AppError('ERR_USAGE', ['bad']).exit).toBe(2);
  });
});
