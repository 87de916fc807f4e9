import { appError } from '../core/errors.js';
import { runPurge, type PurgeResult } from '../pipeline/retention.js';
import { defaultStorePath, openKeyRingFor, openStore } from '../store/index.js';
import { rawSpoolDirFor } from '../store/raw-spool.js';
import { dateFlag, parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog purge [--store PATH] [--now YYYY-MM-DD] [--quiet]

Run the retention rules (docs/privacy.md): delete raw-window files older than each site's raw
window, destroy the pseudonym/visitor keys of those days, and delete the weblog of sites whose
contract ended (at the end of that calendar year, never earlier than 30 days after the end).
Every deletion writes an audit record. Idempotent: running it twice deletes nothing more.
It also runs after every ingest and on a timer inside serve.

  --store PATH         the store (default: $WEBLOG_STORE or ~/.local/share/weblog/weblog.db)
  --now YYYY-MM-DD     the date to apply the rules for (default: today, UTC)
  --quiet              print nothing
  -h, --help           this help`;

export function describePurge(r: PurgeResult): string {
  const lines = [`weblog purge: ${r.rawFilesDeleted} raw files deleted, ${r.keysDestroyed} keys destroyed, ${r.sitesDeleted.length} sites deleted`];
  for (const a of r.audit) lines.push(`  ${a.action} ${a.site}${a.day ? ` ${a.day}` : ''}: ${a.rows} ${a.detail}`);
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
    const { values: v, positionals } = parse(argv, { store: { type: 'string' }, now: { type: 'string' }, quiet: { type: 'boolean' } });
    if (v.help) return printHelp(io, help);
    if (positionals.length > 0) throw appError('ERR_USAGE', `unexpected argument "${positionals[0]}"`);
    const now = nowFrom(v.now);
    const storePath = v.store ?? defaultStorePath(io.env);
    const store = await openStore(storePath, { visitTimeoutSec: 1800 });
    const keys = await openKeyRingFor(storePath);
    try {
      const r = await runPurge(store, keys, rawSpoolDirFor(storePath), now);
      if (!v.quiet) io.stdout.write(describePurge(r));
      return 0;
    } finally {
      keys.close();
      await store.close();
    }
  },
};
