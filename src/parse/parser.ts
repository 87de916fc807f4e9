/**
 * The parse stage's public interface: a LineParser turns one access-log line (a latin1 byte
 * string) into the reused ParsedLine, or says why it cannot.
 */
import type { ParsedLine, RejectReason } from '../core/record.js';
import { appError } from '../core/errors.js';
import { compileApacheFormat } from './apache-format.js';
import { compileNginxFormat } from './nginx-format.js';
import { createPreset } from './presets.js';

export interface LineParser {
  /** Name of the format, e.g. 'combined' or 'apache:<template>'. */
  readonly format: string;
  /** True when lines carry a vhost (then routing by vhost is possible). */
  readonly hasVhost: boolean;
  /** Fill `out` from one line (a latin1 byte string, no '\n'; a trailing '\r' is tolerated and stripped).
   *  Returns null when parsed, else the reason. Never throws, for ANY input string. Resets every field of `out`. */
  parse(line: string, out: ParsedLine): RejectReason | null;
}

export type PresetName = 'combined' | 'common' | 'vhost_combined' | 'nginx_combined' | 'xferlog';

export const PRESETS: readonly PresetName[] = ['combined', 'common', 'vhost_combined', 'nginx_combined', 'xferlog'];

export interface FormatSpec {
  format: PresetName | 'auto' | 'apache' | 'nginx';
  logFormat?: string;
}

function isPreset(name: string): name is PresetName {
  return (PRESETS as readonly string[]).includes(name);
}

/** Compiles once. Throws ERR_PARSE_UNKNOWN_FORMAT / ERR_PARSE_BAD_TEMPLATE on bad specs; 'auto' is not allowed here. */
export function createParser(spec: FormatSpec): LineParser {
  const { format, logFormat } = spec;
  if (format === 'apache' || format === 'nginx') {
    if (logFormat === undefined || logFormat.trim() === '') {
      throw appError('ERR_PARSE_BAD_TEMPLATE', `format ${format} needs a log format string`);
    }
    return format === 'apache' ? compileApacheFormat(logFormat) : compileNginxFormat(logFormat);
  }
  if (isPreset(format)) {
    if (logFormat !== undefined && logFormat !== '') {
      throw appError('ERR_PARSE_BAD_TEMPLATE', `a log format string is only used with format apache or nginx, not ${format}`);
    }
    return createPreset(format);
  }
  // 'auto' lands here too: detection needs sample lines, see detectFormat.
  throw appError('ERR_PARSE_UNKNOWN_FORMAT', String(format), [...PRESETS, 'apache', 'nginx'].join(', '));
}

/** The spec that compiles to a parser reporting itself as `format` (LineParser.format). */
export function formatSpecOf(format: string): FormatSpec {
  if (isPreset(format)) return { format };
  for (const kind of ['apache', 'nginx'] as const) {
    if (format.startsWith(`${kind}:`)) return { format: kind, logFormat: format.slice(kind.length + 1) };
  }
  throw appError('ERR_PARSE_UNKNOWN_FORMAT', format, [...PRESETS, 'apache', 'nginx'].join(', '));
}
