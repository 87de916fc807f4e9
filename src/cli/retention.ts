import { appError } from '../core/errors.js';
import { retentionStatus } from '../pipeline/index.js';
import { defaultStorePath, openKeyRingFor, openStore } from '../store/index.js';
import { parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog retention status [--store PATH] [--keys LOCATION] [--json]

Show, per site: the contract end and the day its weblog will be deleted, the raw window, the
oldest raw record and when it will be deleted, and the pseudonym keys still alive (--keys: the
key ring, when ingests keep it away from the store).`;

export const retentionCommand: Command = {
  name: 'retention',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, { store: { type: 'string' }, keys: { type: 'string' }, json: { type: 'boolean' } });
    if (v.help) return printHelp(io, help);
    if (positionals[0] !== 'status' || positionals.length > 1) throw appError('ERR_USAGE', 'usage: weblog retention status [--store PATH] [--keys LOCATION] [--json]');
    const storePath = v.store ?? defaultStorePath(io.env);
    const store = await openStore(storePath, { visitTimeoutSec: 1800, readonly: true });
    const keys = await openKeyRingFor(storePath, v.keys !== undefined ? { keys: v.keys } : {});
    try {
      const rows = await retentionStatus(store, keys);
      if (v.json) {
        io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return 0;
      }
      const head = ['site', 'contract end', 'weblog deleted on', 'raw window', 'oldest raw', 'next raw deletion', 'keys alive', 'oldest key'];
      const table = [head, ...rows.map((r) => [r.site, r.contractEnd ?? '-', r.weblogDeletedOn ?? '-', `${r.rawWindowDays} d`, r.oldestRaw ?? '-', r.nextRawDeletion ?? '-', String(r.keysAlive), r.oldestKey ?? '-'])];
      const widths = head.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
      for (const row of table) io.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
      return 0;
    } finally {
      await keys.close();
      await store.close();
    }
  },
};
