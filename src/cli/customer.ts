import { appError } from '../core/errors.js';
import { openAccountStore } from '../store/index.js';
import { defaultStorePath, requireStore } from '../store/index.js';
import { parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog customer add ID [--store PATH]
       weblog customer list [--store PATH]

Customers own sites and log in to see their weblogs. ID: 1-63 characters of a-z 0-9 . _ -.

  --store PATH   SQLite store (default: $WEBLOG_STORE or ~/.local/share/weblog/weblog.db)
  -h, --help     this help`;

export const customerCommand: Command = {
  name: 'customer',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, { store: { type: 'string' } });
    if (v.help) return printHelp(io, help);
    const [action, id, ...rest] = positionals;
    if (rest.length > 0) throw appError('ERR_USAGE', `unexpected argument "${rest[0]}"`);
    if (action !== 'add' && action !== 'list') throw appError('ERR_USAGE', 'use `weblog customer add ID` or `weblog customer list`');
    if (action === 'add' && id === undefined) throw appError('ERR_USAGE', 'weblog customer add needs an ID');
    const storePath = v.store ?? defaultStorePath(io.env);
    if (action === 'list') requireStore(storePath);
    const accounts = openAccountStore(storePath);
    try {
      if (action === 'add') {
        await accounts.addCustomer(id!);
        io.stdout.write(`customer ${id} added\n`);
      } else {
        for (const c of await accounts.customers()) io.stdout.write(`${c}\n`);
      }
      return 0;
    } finally {
      await accounts.close();
    }
  },
};
