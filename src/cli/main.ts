/**
 * The weblog command line: dispatches to one module per subcommand and maps errors to exit
 * codes (0 ok, 1 runtime failure, 2 usage or config error). Errors print as
 * `error[CODE]: message` plus a hint; a stack only with WEBLOG_DEBUG=1.
 */
import { readFileSync } from 'node:fs';
import { AppError, isAppError } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import type { Command, Io } from './command.js';

interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  /** Loaded on use: `weblog ingest` should not pay for loading the web server. */
  readonly load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'ingest', summary: 'read access logs into the weblog store', load: async () => (await import('./ingest.js')).ingestCommand },
  { name: 'anonymise', summary: 'anonymise log lines on stdin to stdout (anonip drop-in)', load: async () => (await import('./anonymise.js')).anonymiseCommand },
  { name: 'report', summary: "print a site's weblog (text, JSON, CSV or HTML)", load: async () => (await import('./report.js')).reportCommand },
  { name: 'sites', summary: 'list the sites in the store', load: async () => (await import('./sites.js')).sitesCommand },
  { name: 'purge', summary: 'apply the retention rules (raw window, keys, contract ends)', load: async () => (await import('./purge.js')).purgeCommand },
  { name: 'retention', summary: 'show what is kept and when it will be deleted', load: async () => (await import('./retention.js')).retentionCommand },
  { name: 'store', summary: 'store administration (migrate)', load: async () => (await import('./store.js')).storeCommand },
  { name: 'validate', summary: 'check pipeline files without running them', load: async () => (await import('./validate.js')).validateCommand },
  { name: 'serve', summary: 'serve weblog pages, the JSON API and the ingest endpoint', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'customer', summary: 'add or list customers (who own sites)', load: async () => (await import('./customer.js')).customerCommand },
  { name: 'site', summary: 'assign sites (and their host names) to customers', load: async () => (await import('./site.js')).siteCommand },
  { name: 'token', summary: 'create, list or revoke access tokens', load: async () => (await import('./token.js')).tokenCommand },
];

/** The version in package.json (one place): two levels up from src/cli and from dist/cli alike. */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: weblog <command> [options]

weblog reads web-server access logs, anonymises them and keeps per-site weblog statistics.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`weblog <command> --help\` for a command's options. Documentation: README.md and docs/.`;
}

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.stdout.write(`weblog ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const best = closest(name, COMMANDS.map((c) => c.name));
    io.stderr.write(
      `error[ERR_USAGE]: unknown command "${name}"${best !== null ? `; did you mean ${best}?` : ''}\n  hint: ${usage().split('\n')[0]}; \`weblog --help\` lists the commands\n`,
    );
    return 2;
  }
  try {
    return await (await entry.load()).run(rest, io);
  } catch (e) {
    if (isAppError(e)) {
      io.stderr.write(`error[${e.code}]: ${e.message}\n  hint: ${e.hint}\n`);
      if (io.env.WEBLOG_DEBUG) io.stderr.write(`${e.stack}\n`);
      return e.exit;
    }
    const err = new AppError('ERR_INTERNAL', [(e as Error).message]);
    io.stderr.write(`error[${err.code}]: ${err.message}\n  hint: ${err.hint}\n`);
    if (io.env.WEBLOG_DEBUG) io.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}
