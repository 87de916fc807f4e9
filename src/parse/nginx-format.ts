/**
 * nginx log_format strings compiled into the shared template engine. The variables below feed
 * the record; nginx-variables.ts lists the ones that are read past and ignored; any other
 * variable is a compile error. An `escape=default|json|none` prefix, as in nginx.conf, says how
 * values are escaped.
 */
import type { ByteLineParser } from '../core/line-fields.js';
import { appError } from '../core/errors.js';
import { ESC_JSON, ESC_LOG, ESC_NONE } from './escape.js';
import { isIgnorableNginxVariable } from './nginx-variables.js';
import {
  K_BYTES,
  K_FORWARDED_FOR,
  K_IGNORE,
  K_IP,
  K_METHOD,
  K_PATH,
  K_PROTOCOL,
  K_QUERY,
  K_REFERRER,
  K_REQUEST,
  K_REQUEST_URI,
  K_STATUS,
  K_TIME_CLF,
  K_TIME_EPOCH,
  K_TIME_ISO,
  K_TIME_TAKEN,
  K_USER,
  K_USER_AGENT,
  K_VHOST,
  TemplateParser,
  field,
  lit,
  type FieldToken,
  type TemplateToken,
} from './template.js';

function variable(v: string, name: string): FieldToken {
  switch (v) {
    case 'remote_addr':
      return field(name, K_IP, { token: true, rank: 2 });
    case 'realip_remote_addr':
      return field(name, K_IP, { token: true, rank: 1 });
    case 'remote_user':
      return field(name, K_USER, { token: true });
    case 'time_local':
      return field(name, K_TIME_CLF);
    case 'time_iso8601':
      return field(name, K_TIME_ISO);
    case 'msec':
      return field(name, K_TIME_EPOCH, { token: true, scale: 1 });
    case 'request':
      return field(name, K_REQUEST);
    case 'request_method':
      return field(name, K_METHOD, { token: true });
    case 'request_uri':
      return field(name, K_REQUEST_URI);
    case 'uri':
    case 'document_uri':
      return field(name, K_PATH);
    case 'args':
    case 'query_string':
      return field(name, K_QUERY);
    case 'server_protocol':
      return field(name, K_PROTOCOL, { token: true });
    case 'status':
      return field(name, K_STATUS, { token: true });
    case 'body_bytes_sent':
      return field(name, K_BYTES, { token: true, rank: 2 });
    case 'bytes_sent':
      return field(name, K_BYTES, { token: true, rank: 1 });
    case 'http_referer':
      return field(name, K_REFERRER);
    case 'http_user_agent':
      return field(name, K_USER_AGENT);
    case 'http_x_forwarded_for':
      return field(name, K_FORWARDED_FOR);
    case 'host':
      return field(name, K_VHOST, { token: true, rank: 3 });
    case 'server_name':
      return field(name, K_VHOST, { token: true, rank: 2 });
    case 'server_port':
      return field(name, K_IGNORE, { token: true, port: true });
    case 'request_time':
      // Seconds with a millisecond fraction: 0.123.
      return field(name, K_TIME_TAKEN, { token: true, scale: 1e6 });
    case 'request_length':
    case 'connection':
    case 'connection_requests':
    case 'pid':
      return field(name, K_IGNORE, { token: true });
    default:
      if (!isIgnorableNginxVariable(v)) {
        throw appError('ERR_PARSE_BAD_TEMPLATE', `unknown nginx variable ${name} (a variable your configuration defines with map or set: write it as $http_x_<name>, see docs/configuration.md)`);
      }
      // $upstream_* may hold lists ("10.0.0.1:80, 10.0.0.2:80"): not a single token.
      return field(name, K_IGNORE);
  }
}

/** `escape=json '…'` as in nginx.conf: the escaping and the rest of the format. */
function splitEscape(fmt: string): { escape: number; rest: string } {
  const t = fmt.trimStart();
  if (!t.startsWith('escape=')) return { escape: ESC_LOG, rest: fmt };
  let i = 7;
  while (i < t.length && t[i] !== ' ' && t[i] !== '\t' && t[i] !== '\n' && t[i] !== '\r') i++;
  const value = t.slice(7, i);
  const escape = value === 'default' ? ESC_LOG : value === 'json' ? ESC_JSON : value === 'none' ? ESC_NONE : -1;
  if (escape === -1) throw appError('ERR_PARSE_BAD_TEMPLATE', `escape=${value}: nginx's escape is default, json or none`);
  return { escape, rest: t.slice(i).trimStart() };
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * Accepts the format as written in nginx.conf too: a sequence of single-quoted strings
 * (`'$remote_addr - ' '"$request"';`) is joined into one.
 */
function unquoteConfig(fmt: string): string {
  const t = fmt.trim();
  if (!t.startsWith("'")) return fmt;
  let out = '';
  let i = 0;
  while (i < t.length) {
    const c = t[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === ';' && i === t.length - 1) break;
    if (c !== "'") return fmt;
    const close = t.indexOf("'", i + 1);
    if (close === -1) return fmt;
    out += t.slice(i + 1, close);
    i = close + 1;
  }
  return out;
}

export function tokenizeNginxFormat(fmtIn: string): TemplateToken[] {
  const fmt = unquoteConfig(fmtIn);
  const out: TemplateToken[] = [];
  let text = '';
  let i = 0;
  while (i < fmt.length) {
    const c = fmt.charCodeAt(i);
    if (c !== 36) {
      text += fmt[i];
      i++;
      continue;
    }
    let name: string;
    let v: string;
    if (fmt.charCodeAt(i + 1) === 123) {
      const close = fmt.indexOf('}', i + 2);
      v = close === -1 ? '' : fmt.slice(i + 2, close);
      if (v === '' || ![...v].every((ch) => isNameChar(ch.charCodeAt(0)))) {
        text += '$';
        i++;
        continue;
      }
      name = fmt.slice(i, close + 1);
      i = close + 1;
    } else {
      let j = i + 1;
      while (j < fmt.length && isNameChar(fmt.charCodeAt(j))) j++;
      if (j === i + 1) {
        text += '$';
        i++;
        continue;
      }
      v = fmt.slice(i + 1, j);
      name = fmt.slice(i, j);
      i = j;
    }
    if (text !== '') out.push(lit(text));
    text = '';
    const a = out[out.length - 2];
    const b = out[out.length - 1];
    if (v === 'args' && a !== undefined && a.t === 'field' && a.kind === K_PATH && b !== undefined && b.t === 'field' && (b.name === '$is_args' || b.name === '${is_args}')) {
      // `$uri$is_args$args`, the usual way to log path and query: one field, split at its '?'.
      out.splice(out.length - 2, 2, field(`${a.name}${b.name}${name}`, K_REQUEST_URI));
    } else out.push(variable(v, name));
  }
  if (text !== '') out.push(lit(text));
  return out;
}

export function nginxFormatName(logFormat: string): string {
  return `nginx:${logFormat}`;
}

export function compileNginxFormatAs(logFormat: string, format: string, allowTrailing: boolean): ByteLineParser {
  const { escape, rest } = splitEscape(logFormat);
  return new TemplateParser(tokenizeNginxFormat(rest), { format, allowTrailing, escape });
}

export function compileNginxFormat(logFormat: string): ByteLineParser {
  return compileNginxFormatAs(logFormat, nginxFormatName(logFormat), false);
}
