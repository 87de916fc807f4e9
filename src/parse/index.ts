/**
 * The parse stage: access-log lines (Apache, nginx, xferlog) → ParsedLine.
 * @module
 */
export type { LineParser, PresetName, FormatSpec } from './parser.js';
export { PRESETS, createParser, formatSpecOf } from './parser.js';
export { compileApacheFormat } from './apache-format.js';
export { compileNginxFormat } from './nginx-format.js';
export { detectFormat } from './detect.js';
export type { ClientResolver } from './client-resolver.js';
export { createClientResolver } from './client-resolver.js';
export { bytesToText } from './bytes-to-text.js';
