/**
 * The parse stage's public interface: a ByteLineParser turns the bytes of one access-log line
 * into the reused LineFields, or says why it cannot; createParser wraps one in the string API
 * (adapter.ts) for callers that hold a line as a string.
 */
import type { ByteLineParser } from '../core/line-fields.js';
import { appError, type AppError } from '../core/errors.js';
import { compileApacheFormat } from './apache-format.js';
import { compileNginxFormat } from './nginx-format.js';
import { PRESETS, createPreset, isPreset, type PresetName } from './presets.js';
import { StringLineParser, type LineParser } from './adapter.js';

export interface FormatSpec {
  format: PresetName | 'auto' | 'apache' | 'nginx';
  logFormat?: string;
}

/** What `--format` takes: the presets and `auto` (custom templates go to `--log-format`). */
export const FORMAT_NAMES: readonly string[] = [...PRESETS, 'auto'];

/** ERR_PARSE_UNKNOWN_FORMAT, listing exactly what --format takes. */
export function unknownFormatError(name: string): AppError {
  return appError('ERR_PARSE_UNKNOWN_FORMAT', name, FORMAT_NAMES.join(', '));
}

/** Compiles once. Throws ERR_PARSE_UNKNOWN_FORMAT / ERR_PARSE_BAD_TEMPLATE on bad specs; 'auto' is not allowed here. */
export function createByteParser(spec: FormatSpec): ByteLineParser {
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
  // 'auto' lands here too: detection needs the input, see detectFormat.
  throw unknownFormatError(String(format));
}

/** The string LineParser of a spec (the engine's current API). */
export function createParser(spec: FormatSpec): LineParser {
  return new StringLineParser(createByteParser(spec));
}

/** The spec that compiles to a parser reporting itself as `format` (LineParser.format). */
export function formatSpecOf(format: string): FormatSpec {
  if (isPreset(format)) return { format };
  for (const kind of ['apache', 'nginx'] as const) {
    if (format.startsWith(`${kind}:`)) return { format: kind, logFormat: format.slice(kind.length + 1) };
  }
  throw unknownFormatError(format);
}
