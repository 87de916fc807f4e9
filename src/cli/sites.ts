import { appError } from '../core/errors.js';
import { defaultStorePath, openStore } from '../store/index.js';
import { parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog sites [--store PATH]

List the sites that have data in the store, one per line.`;

export const sitesCommand: Command = {
  name: 'sites',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, { store: { type: 'string' } });
    if (v.help) return printHelp(io, help);
    if (positionals.length > 0) throw appError('ERR_USAGE', `unexpected argument "${positionals[0]}"`);
    const store = await openStore(v.store ?? defaultStorePath(io.env), { visitTimeoutSec: 1800, readonly: true });
    try {
      for (const s of await store.sites()) io.stdout.write(`${s}\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
