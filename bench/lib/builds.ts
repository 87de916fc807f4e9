/**
 * The weblog builds a bench run measures: this checkout ("after") and, with --weblog-before DIR,
 * another checkout built beside it ("before", e.g. the old engine in a throw-away worktree), so
 * both are measured in one session on the same inputs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './fixture.js';

export interface Build {
  readonly name: 'after' | 'before';
  /** Checkout whose bin/weblog.js runs (the working directory of its commands). */
  readonly dir: string;
  /** Short commit, with "+" when the checkout has uncommitted changes under src/. */
  readonly commit: string;
}

function commitOf(dir: string): string {
  const head = spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['-C', dir, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' });
  return head.stdout.trim() + (dirty.stdout.trim() === '' ? '' : '+');
}

/** Why `dir` cannot run (not built), or null. */
export function notBuilt(dir: string): string | null {
  return existsSync(join(dir, 'dist', 'cli', 'main.js')) ? null : `not built (cd ${dir} && npm run build)`;
}

export function currentBuild(): Build {
  return { name: 'after', dir: ROOT, commit: commitOf(ROOT) };
}

export function beforeBuild(dir: string): Build {
  const d = resolve(dir);
  if (!existsSync(join(d, 'bin', 'weblog.js'))) throw new Error(`--weblog-before ${dir}: no bin/weblog.js there`);
  const why = notBuilt(d);
  if (why !== null) throw new Error(`--weblog-before ${dir}: ${why}`);
  return { name: 'before', dir: d, commit: commitOf(d) };
}
