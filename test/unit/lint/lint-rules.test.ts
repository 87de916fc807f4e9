/**
 * The lint step (`npm run lint`, part of `npm test`) only protects what it detects: an import
 * cycle is invisible to no-cycle when the resolver or parser settings are off, and a config that
 * reports nothing looks the same as clean code. These probes must be reported.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..', '..');
// Inside test/ so that the TypeScript project (tsconfig.json) covers the probe files.
const PROBE = join(REPO, 'test', 'unit', 'lint', `probe-${process.pid}`);

afterAll(() => rmSync(PROBE, { recursive: true, force: true }));

describe('lint rules', () => {
  it('reports an import cycle and a floating promise', async () => {
    mkdirSync(PROBE, { recursive: true });
    writeFileSync(join(PROBE, 'a.ts'), "import { b } from './b.js';\nexport const a = (): number => b();\n");
    writeFileSync(join(PROBE, 'b.ts'), "import { a } from './a.js';\nexport const b = (): number => 1;\nexport const c = a;\n");
    writeFileSync(join(PROBE, 'c.ts'), 'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n');
    const eslint = new ESLint({ cwd: REPO });
    const results = await eslint.lintFiles([join(PROBE, '*.ts')]);
    const rules = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(PROBE.length + 1)} ${m.ruleId ?? m.message}`)).sort();
    expect(rules).toEqual(['a.ts import-x/no-cycle', 'b.ts import-x/no-cycle', 'c.ts @typescript-eslint/no-floating-promises']);
  }, 60_000);
});
