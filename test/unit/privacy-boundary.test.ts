/**
 * "By type, not by discipline": the brands in core/record.ts only protect if nobody casts to
 * them. This test fails when a module outside the allowed stage builds an AnonHit or a raw value
 * by cast, or when a stage past anonymise imports the raw types at all.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', 'src');
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const all = files(root).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));

describe('privacy boundary', () => {
  it('only the anonymise stage builds an AnonHit', () => {
    const offenders = all.filter((f) => /as AnonHit\b/.test(f.text) && !f.path.startsWith('anonymise/')).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('only parse, enrich and anonymise (and core) mint or name raw values', () => {
    const allowed = ['core/', 'parse/', 'enrich/', 'detect/', 'anonymise/', 'pipeline/engine/line-path.ts'];
    const offenders = all.filter((f) => /\bRaw(Ip|User)\b/.test(f.text) && !allowed.some((a) => f.path.startsWith(a))).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('only parse, enrich and anonymise (and core, detect, the engine line path) hold a LineFields', () => {
    // The byte record carries raw addresses and user names, like RawIp and RawUser.
    const allowed = ['core/', 'parse/', 'enrich/', 'detect/', 'anonymise/', 'pipeline/engine/line-path.ts'];
    const offenders = all.filter((f) => /\bLineFields\b/.test(f.text) && !allowed.some((a) => f.path.startsWith(a))).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('aggregate, store, report and cli never see a ParsedLine', () => {
    const later = ['aggregate/', 'store/', 'report/', 'cli/'];
    const offenders = all.filter((f) => later.some((l) => f.path.startsWith(l)) && /\bParsedLine\b/.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});
