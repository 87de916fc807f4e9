/**
 * A CPU profile of an ingest, summarised: self time per function and per module.
 *
 *   npm run build && npx tsx bench/profile.ts [--vhosts] FILE [-- extra ingest flags]
 *
 * Runs `node --cpu-prof bin/weblog.js ingest --quiet --site bench.example --ip full FILE` on a
 * fresh store (the bench's ingest command; with --vhosts its vhost_combined command instead:
 * `--format vhost_combined`, no --site) and prints the top rows: self time per stage (the folder
 * under dist/), per module and per function. The .cpuprofile stays in the printed directory for
 * Chrome DevTools. XDG_CACHE_HOME is the bench's (bench/.cache/xdg-cache), so the country range
 * table is not rebuilt in the profile.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2).filter((a) => a !== '--');
const vhosts = argv[0] === '--vhosts';
const [file, ...extra] = vhosts ? argv.slice(1) : argv;
if (file === undefined) {
  process.stderr.write('usage: npx tsx bench/profile.ts [--vhosts] FILE [-- extra ingest flags]\n');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'weblog-profile-'));
const routing = vhosts ? ['--format', 'vhost_combined'] : ['--site', 'bench.example'];
const args = ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(ROOT, 'bin', 'weblog.js'), 'ingest', '--quiet', '--store', join(dir, 'p.db'), ...routing, '--ip', 'full', ...extra, file];
const env = { ...process.env, XDG_CACHE_HOME: join(ROOT, 'bench', '.cache', 'xdg-cache') };
const run = spawnSync(process.execPath, args, { stdio: 'inherit', env });
if (run.status !== 0) process.exit(run.status ?? 1);

const name = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
const p = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Profile;
const selfMs = new Map<number, number>();
p.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
const byFunction = new Map<string, number>();
const byModule = new Map<string, number>();
const byStage = new Map<string, number>();
/** dist/<stage>/… → the stage; node:internal, native code and V8's own rows by name. */
const stageOf = (url: string, fn: string): string => {
  const m = /\/dist\/([^/]+)\//.exec(url);
  if (m !== null) return `weblog ${m[1]}/`;
  if (url.includes('/node_modules/')) return `node_modules/${url.split('/node_modules/')[1]!.split('/')[0]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url === '' ? fn || '(anonymous)' : url;
};
let total = 0;
for (const n of p.nodes) {
  const t = selfMs.get(n.id) ?? 0;
  total += t;
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url === '' ? '' : url.split('/').slice(-2).join('/');
  const fn = `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
  const mod = where || functionName;
  byModule.set(mod, (byModule.get(mod) ?? 0) + t);
  const stage = stageOf(url, functionName);
  byStage.set(stage, (byStage.get(stage) ?? 0) + t);
}
const show = (title: string, m: Map<string, number>, rows: number): void => {
  console.log(`\n${title}`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${t.toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
  }
};
console.log(`profile: ${join(dir, name)} (${total.toFixed(0)} ms sampled)`);
show('self time by stage', byStage, 20);
show('self time by module', byModule, 25);
show('self time by function', byFunction, 30);
