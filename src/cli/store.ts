import { appError } from '../core/errors.js';
import { defaultStorePath, migrateStore } from '../store/index.js';
import { parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog store migrate [--store PATH|URL]

Create the store's schema or bring it up to date (versioned migrations). Ingests do this on
their own; run it once by hand before upgrading a fleet of ingest hosts, or to create a
ClickHouse database and cluster tables ahead of the first ingest.

  --store PATH|URL     SQLite file, or clickhouse://user:pass@host:8123/db[?cluster=NAME[&nodes=h1:8123,h2:8123]]
                       (default: $WEBLOG_STORE or ~/.local/share/weblog/weblog.db)
  -h, --help           this help

docs/clickhouse.md describes the ClickHouse schema, clusters and upgrades.`;

export const storeCommand: Command = {
  name: 'store',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, { store: { type: 'string' } });
    if (v.help) return printHelp(io, help);
    const [sub, ...rest] = positionals;
    if (sub !== 'migrate') throw appError('ERR_USAGE', sub === undefined ? 'missing subcommand (migrate)' : `unknown subcommand "${sub}" (known: migrate)`);
    if (rest.length > 0) throw appError('ERR_USAGE', `unexpected argument "${rest[0]}"`);
    const r = await migrateStore(v.store ?? defaultStorePath(io.env));
    const was = r.from < 0 ? '' : r.from === r.to ? ` (was already at ${r.from})` : ` (from ${r.from})`;
    io.stdout.write(`${r.location}: schema version ${r.to}${was}\n`);
    return 0;
  },
};
