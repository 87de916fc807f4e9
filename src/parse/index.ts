/**
 * The parse stage: access-log lines (Apache, nginx, xferlog, Caddy) → LineFields (bytes), which
 * the ingest engine reads; the string adapter gives a ParsedLine to callers that hold one line
 * as a string (the anonymising filter's xferlog mode, `weblog validate`).
 * @module
 */
export type { FormatSpec } from './parser.js';
export { FORMAT_NAMES, createByteParser, createParser, formatSpecOf, unknownFormatError } from './parser.js';
export type { PresetName } from './presets.js';
export { PRESETS, VHOST_PRESETS } from './presets.js';
export { compileApacheFormat } from './apache-format.js';
export { compileNginxFormat } from './nginx-format.js';
export type { Detection } from './detect.js';
export { detectFormat, detectOrExplain, undetectedError } from './detect.js';
export { noLineMatches } from './no-match.js';
export type { ByteClientResolver } from './client-resolver.js';
export { createByteClientResolver } from './client-resolver.js';
export type { ClientResolver, LineParser } from './adapter.js';
export { StringLineParser, createClientResolver, detectLineParser } from './adapter.js';
export { fieldText } from './field-text.js';
export { isIp, isIpv4, isIpv6, ipToBytes, parseCidr, cidrContains, type Cidr } from './ip.js';
export { isHostName } from './host-name.js';
export { rejectReason, rejectCode } from './reject.js';
export { bytesToText } from './bytes-to-text.js';
export type { ByteLineParser } from '../core/line-fields.js';
