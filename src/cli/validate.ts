import { appError } from '../core/errors.js';
import { loadPipelineFile } from '../pipeline/index.js';
import { createParser } from '../parse/index.js';
import { parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog validate PIPELINE_FILE...

Check pipeline files without reading any log: schema, cross-field rules, and that the log format
compiles. Prints "ok FILE" per valid file; errors name the file and the field.`;

export const validateCommand: Command = {
  name: 'validate',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, {});
    if (v.help) return printHelp(io, help);
    if (positionals.length === 0) throw appError('ERR_USAGE', 'name at least one pipeline file');
    for (const file of positionals) {
      const c = loadPipelineFile(file);
      if (c.format.type !== 'auto') {
        createParser(c.format.type === 'apache' || c.format.type === 'nginx' ? { format: c.format.type, logFormat: c.format.logFormat ?? '' } : { format: c.format.type });
      }
      io.stdout.write(`ok ${file}\n`);
    }
    return 0;
  },
};
