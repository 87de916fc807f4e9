/**
 * The weblog command line: dispatches to one module per subcommand and maps errors to exit
 * codes (0 ok, 1 runtime failure, 2 usage or config error). Errors print as
 * `error[CODE]: message` plus a hint; a stack only with WEBLOG_DEBUG=1.
 */
import { AppError, isAppError } from '../core/errors.js';
import type { Command, Io } from './command.js';
import { anonymiseCommand } from './anonymise.js';
import { ingestCommand } from './ingest.js';
import { purgeCommand } from './purge.js';
import { reportCommand } from './report.js';
import { retentionCommand } from './retention.js';
import { sitesCommand } from './sites.js';
import { storeCommand } from './store.js';
import { validateCommand } from './validate.js';
import { customerCommand } from './customer.js';
import { serveCommand } from './serve.js';
import { siteCommand } from './site.js';
import { tokenCommand } from './token.js';

export const COMMANDS: readonly Command[] = [ingestCommand, anonymiseCommand, reportCommand, sitesCommand, purgeCommand, retentionCommand, storeCommand, validateCommand, serveCommand, customerCommand, siteCommand, tokenCommand];

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
    io.stdout.write('weblog 0.1.0\n');
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`error[ERR_USAGE]: unknown command "${name}"\n  hint: ${usage().split('\n')[0]}; \`weblog --help\` lists the commands\n`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
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
