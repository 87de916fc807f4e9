import { appError } from '../core/errors.js';
import { checkCustomerId } from '../store/index.js';
import { openAccountStore } from '../store/index.js';
import { defaultStorePath, requireStore } from '../store/index.js';
import { parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog token create (--customer ID | --operator) [--store PATH]
       weblog token list [--store PATH]
       weblog token revoke TOKEN-ID [--store PATH]

create prints a new access token once, alone on the last line of stdout: only a keyed hash of
it is stored (the key is PATH.token-key, 0600), so it cannot be shown again. A customer token reads that customer's
weblogs (API and web login); an operator token ingests logs and reads every site.

  --customer ID   token for this customer
  --operator      token for an operator (ingest, administration)
  --store PATH    SQLite store (default: $WEBLOG_STORE or ~/.local/share/weblog/weblog.db)
  -h, --help      this help`;

const options = { customer: { type: 'string' }, operator: { type: 'boolean' }, store: { type: 'string' } } as const;

export const tokenCommand: Command = {
  name: 'token',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, options);
    if (v.help) return printHelp(io, help);
    const [action, id, ...rest] = positionals;
    if (rest.length > 0) throw appError('ERR_USAGE', `unexpected argument "${rest[0]}"`);
    if (action !== 'create' && action !== 'list' && action !== 'revoke') throw appError('ERR_USAGE', 'use `weblog token create|list|revoke`');
    if (action === 'create' && (v.customer === undefined) === !v.operator) throw appError('ERR_USAGE', 'give exactly one of --customer ID or --operator');
    if (action === 'revoke' && id === undefined) throw appError('ERR_USAGE', 'weblog token revoke needs a TOKEN-ID (see weblog token list)');
    const storePath = v.store ?? defaultStorePath(io.env);
    if (action === 'list') requireStore(storePath);
    const accounts = openAccountStore(storePath);
    try {
      if (action === 'create') {
        const customer = v.customer === undefined ? null : checkCustomerId(v.customer);
        const t = await accounts.createToken(customer === null ? 'operator' : 'customer', customer);
        io.stdout.write(`token ${t.id} for ${customer === null ? 'an operator' : `customer ${customer}`}; it is shown only this once:\n${t.token}\n`);
      } else if (action === 'list') {
        for (const t of await accounts.tokens()) {
          io.stdout.write(`${t.id}\t${t.role}\t${t.customer ?? '-'}\t${t.createdAt}${t.revoked ? '\trevoked' : ''}\n`);
        }
      } else {
        if (!(await accounts.revokeToken(id!))) throw appError('ERR_ACCOUNT_UNKNOWN', `token ${id} (or already revoked)`);
        io.stdout.write(`token ${id} revoked\n`);
      }
      return 0;
    } finally {
      await accounts.close();
    }
  },
};
