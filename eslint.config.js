// @ts-check
/**
 * The lint step of `npm test` (issue 11): imports stay acyclic, promises are awaited (or handed
 * on explicitly with `void`), and no stage imports another stage's internals: each folder of
 * src/ is a stage whose index.ts is its public face.
 */
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { readdirSync } from 'node:fs';

/** The folders of src/. core/ is the shared kernel (types, errors, byte helpers): not a stage. */
const FOLDERS = readdirSync(new URL('./src', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const STAGES = FOLDERS.filter((f) => f !== 'core' && f !== 'cli');
/** A stage's files are reached from other folders through its index.ts only. */
const STAGE_ZONES = STAGES.map((stage) => ({
  target: FOLDERS.filter((f) => f !== stage).map((f) => `./src/${f}`),
  from: `./src/${stage}`,
  except: ['./index.ts'],
  message: `import ${stage}/ through its index.ts`,
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/artifacts/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: STAGE_ZONES }] },
  },
);
