import { appError } from '../core/errors.js';
import { checkCustomerId, checkSiteName } from '../store/index.js';
import { openAccountStore } from '../store/index.js';
import { defaultStorePath, openStore, requireStore } from '../store/index.js';
import { dateFlag, parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog site add SITE --customer ID [--host HOST]... [--contract-end YYYY-MM-DD] [--store PATH]
       weblog site list [--store PATH]

Assigns a site to a customer, who then sees its weblog. Host names (other vhosts of the same
site, e.g. example.com for www.example.com) make their referrers internal. The contract end is
the last day of hosting: the retention rules delete the weblog after it.

  --customer ID             owner of the site (must exist: weblog customer add ID)
  --host HOST               another host name of the site (repeatable)
  --contract-end DATE       last day of the hosting contract
  --store PATH              SQLite store (default: $WEBLOG_STORE or ~/.local/share/weblog/weblog.db)
  -h, --help                this help`;

const options = {
  customer: { type: 'string' },
  host: { type: 'string', multiple: true },
  'contract-end': { type: 'string' },
  store: { type: 'string' },
} as const;

export const siteCommand: Command = {
  name: 'site',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, options);
    if (v.help) return printHelp(io, help);
    const [action, name, ...rest] = positionals;
    if (rest.length > 0) throw appError('ERR_USAGE', `unexpected argument "${rest[0]}"`);
    const storePath = v.store ?? defaultStorePath(io.env);
    if (action === 'list') {
      requireStore(storePath);
      const accounts = openAccountStore(storePath);
      try {
        for (const s of await accounts.sites()) io.stdout.write(`${s.site}\t${s.customer}\t${s.hosts.join(',')}\n`);
        return 0;
      } finally {
        await accounts.close();
      }
    }
    if (action !== 'add') throw appError('ERR_USAGE', 'use `weblog site add SITE --customer ID` or `weblog site list`');
    if (name === undefined) throw appError('ERR_USAGE', 'weblog site add needs a SITE');
    if (v.customer === undefined) throw appError('ERR_USAGE', '--customer is required');
    const site = checkSiteName(name);
    const customer = checkCustomerId(v.customer);
    const contractEnd = dateFlag('contract-end', v['contract-end']);
    // Store first: it applies the migrations the account tables live in.
    const store = await openStore(storePath, { visitTimeoutSec: 1800 });
    const accounts = openAccountStore(storePath);
    try {
      await accounts.addSite(site, customer, v.host ?? []);
      if (contractEnd !== null) await store.setContractEnd(site, contractEnd);
      io.stdout.write(`site ${site} assigned to ${customer}${contractEnd !== null ? `, contract ends ${contractEnd}` : ''}\n`);
      return 0;
    } finally {
      await accounts.close();
      await store.close();
    }
  },
};
