import { appError } from '../core/errors.js';
import { type PurgeResult, runPurge } from '../pipeline/index.js';
import { defaultStorePath, openKeyRingFor, openStore } from '../store/index.js';
import { rawSpoolDirFor } from '../store/index.js';
import { dateFlag, parse, printHelp } from './args.js';
import type { Command } from './command.js';
import { counted } from '../core/numbers.js';

const help = `Usage: weblog purge [--store PATH] [--keys LOCATION] [--now YYYY-MM-DD] [-q|--quiet]

Run the retention rules (docs/privacy.md): delete raw-window files older than each site's raw
window, destroy the pseudonym/visitor keys of those days, and delete the weblog of sites whose
contract ended (at the end of that calendar year, never earlier than 30 days after the end).
Every deletion writes an audit record. Idempotent: running it twice deletes nothing more.
It also runs after every ingest and on a timer inside serve.

  --store PATH         the store (default: $WEBLOG_STORE or ~/.local/share/weblog/weblog.db)
  --keys LOCATION      the key ring, when ingests keep it away from the store (ingest --keys)
  --now YYYY-MM-DD     the date to apply the rules for (default: today, UTC)
  -q, --quiet          print nothing
  -h, --help           this help`;

/** What an audit record's `rows` count, per action. */
const ROWS_OF: Record<string, string> = { 'destroy-keys': 'key', 'purge-raw': 'line', 'purge-raw-uncommitted': 'line' };

/**
 * Why keys are destroyed, for people who see it happen for the first time: importing a log older
 * than the raw window (the demo) destroys its days' keys right after the ingest.
 */
const KEYS_EXPLAINED =
  "  Keys destroyed: a day's pseudonym and visitor keys are destroyed once the day is older than the\n" +
  '  raw window (7 days unless configured): its statistics stay, but nobody can link its visitors or\n' +
  "  pseudonyms again. A log older than the raw window, like the demo's, loses its keys right after\n" +
  '  the ingest (README: "Keys destroyed"; docs/privacy.md).';

/** The purge summary; `explain` adds what destroyed keys mean (for a terminal, not for cron mail). */
export function describePurge(r: PurgeResult, opts: { explain?: boolean } = {}): string {
  const lines = [
    `weblog purge: ${counted(r.rawFilesDeleted, 'raw file')} deleted, ${counted(r.keysDestroyed, 'key')} destroyed, ${counted(r.sitesDeleted.length, 'site')} deleted`,
  ];
  for (const a of r.audit) {
    const rows = a.rows > 0 ? ` (${counted(a.rows, ROWS_OF[a.action] ?? 'row')})` : '';
    lines.push(`  ${a.action} ${a.site}${a.day ? ` ${a.day}` : ''}: ${a.detail}${rows}`);
  }
  if (opts.explain && r.keysDestroyed > 0) lines.push(KEYS_EXPLAINED);
  return `${lines.join('\n')}\n`;
}

export function nowFrom(flag: string | undefined): Date {
  const d = dateFlag('now', flag);
  return d === null ? new Date() : new Date(`${d}T00:00:00Z`);
}

export const purgeCommand: Command = {
  name: 'purge',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, { store: { type: 'string' }, keys: { type: 'string' }, now: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } });
    if (v.help) return printHelp(io, help);
    if (positionals.length > 0) throw appError('ERR_USAGE', `unexpected argument "${positionals[0]}"`);
    const now = nowFrom(v.now);
    const storePath = v.store ?? defaultStorePath(io.env);
    const store = await openStore(storePath, { visitTimeoutSec: 1800 });
    const keys = await openKeyRingFor(storePath, v.keys !== undefined ? { keys: v.keys } : {});
    try {
      const r = await runPurge(store, keys, rawSpoolDirFor(storePath), now);
      if (!v.quiet) io.stdout.write(describePurge(r, { explain: io.stdout.isTTY === true }));
      return 0;
    } finally {
      await keys.close();
      await store.close();
    }
  },
};
