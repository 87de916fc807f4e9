/**
 * Apache LogFormat strings (mod_log_config, plus mod_ssl's %{..}x/%{..}c and mod_logio's %I/%O/%S)
 * compiled into the shared template engine.
 */
import type { ByteLineParser } from '../core/line-fields.js';
import { appError } from '../core/errors.js';
import { compileStrftime } from './time.js';
import {
  K_BYTES,
  K_FORWARDED_FOR,
  K_IGNORE,
  K_IP,
  K_METHOD,
  K_PATH,
  K_PROTOCOL,
  K_QUERY_Q,
  K_REFERRER,
  K_REQUEST,
  K_REQUEST_URI,
  K_STATUS,
  K_TIME_CLF,
  K_TIME_EPOCH,
  K_TIME_STRF,
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

/** Apache's default %t layout; compiled to the fixed-width fast path. */
const CLF_STRFTIME = '%d/%b/%Y:%H:%M:%S %z';

function bad(why: string): Error {
  return appError('ERR_PARSE_BAD_TEMPLATE', why);
}

function timeField(name: string, arg: string | null): TemplateToken[] {
  if (arg === null) return [lit('['), field(name, K_TIME_CLF, { token: false }), lit(']')];
  let fmt = arg;
  if (fmt.startsWith('begin:')) fmt = fmt.slice(6);
  else if (fmt.startsWith('end:')) fmt = fmt.slice(4);
  switch (fmt) {
    case 'sec':
      return [field(name, K_TIME_EPOCH, { token: true, scale: 1 })];
    case 'msec':
      return [field(name, K_TIME_EPOCH, { token: true, scale: 1e3 })];
    case 'usec':
      return [field(name, K_TIME_EPOCH, { token: true, scale: 1e6 })];
    case 'msec_frac':
    case 'usec_frac':
      return [field(name, K_IGNORE, { token: true })];
    case CLF_STRFTIME:
      return [field(name, K_TIME_CLF)];
    default:
      break;
  }
  if (!fmt.includes('%')) throw bad(`${name}: the time format has no conversion`);
  const prog = compileStrftime(fmt);
  if (typeof prog === 'string') throw bad(`${name}: ${prog}`);
  return [field(name, K_TIME_STRF, { strf: prog })];
}

/** %T in seconds, %{UNIT}T in s, ms or us (Apache 2.4.13+); the finest unit wins over coarser ones. */
function timeTakenField(name: string, arg: string | null): FieldToken {
  switch (arg) {
    case null:
    case 's':
      return field(name, K_TIME_TAKEN, { token: true, rank: 1, scale: 1e6 });
    case 'ms':
      return field(name, K_TIME_TAKEN, { token: true, rank: 2, scale: 1e3 });
    case 'us':
      return field(name, K_TIME_TAKEN, { token: true, rank: 3, scale: 1 });
    default:
      throw bad(`${name}: the unit of %T is s, ms or us`);
  }
}

function headerField(name: string, arg: string | null): FieldToken {
  if (arg === null) throw bad(`${name} needs a header name, e.g. %{User-Agent}i`);
  switch (arg.toLowerCase()) {
    case 'referer':
    case 'referrer':
      return field(name, K_REFERRER);
    case 'user-agent':
      return field(name, K_USER_AGENT);
    case 'x-forwarded-for':
      return field(name, K_FORWARDED_FOR);
    default:
      return field(name, K_IGNORE);
  }
}

/** One directive letter (with its `{arg}`) → tokens. */
function directive(letter: string, arg: string | null, name: string, original: boolean): TemplateToken[] {
  switch (letter) {
    case 'a':
      // %{c}a is the peer of the connection; %a the client (after mod_remoteip).
      return [field(name, K_IP, { token: true, rank: arg === 'c' ? 1 : 3 })];
    case 'h':
      // The remote host: a DNS name when HostnameLookups is On (%{c}h is the peer's address).
      return [field(name, K_IP, { token: true, rank: arg === 'c' ? 1 : 2, hostName: arg !== 'c' })];
    case 'A':
    case 'k':
    case 'L':
    case 'P':
    case 'R':
    case 'X':
    case 'I':
    case 'S':
      return [field(name, K_IGNORE, { token: true })];
    case 'D':
      return [field(name, K_TIME_TAKEN, { token: true, rank: 3, scale: 1 })];
    case 'T':
      return [timeTakenField(name, arg)];
    case 'p':
      return [field(name, K_IGNORE, { token: true, port: true })];
    case 'b':
    case 'B':
      return [field(name, K_BYTES, { token: true, rank: 2 })];
    case 'O':
      return [field(name, K_BYTES, { token: true, rank: 1 })];
    case 'l':
      return [field(name, K_IGNORE, { token: true })];
    case 'C':
    case 'e':
    case 'n':
    case 'o':
    case 'f':
    case 'x':
    case 'c':
      return [field(name, K_IGNORE)];
    case 'H':
      return [field(name, K_PROTOCOL, { token: true })];
    case 'i':
      return [headerField(name, arg)];
    case 'm':
      return [field(name, K_METHOD, { token: true })];
    case 'q':
      return [field(name, K_QUERY_Q)];
    case 'r':
      return [field(name, K_REQUEST)];
    case 's':
      return [field(name, K_STATUS, { token: true, rank: original ? 1 : 2 })];
    case 't':
      return timeField(name, arg);
    case 'u':
      // A token: user names with spaces are rare, and a lenient %u swallows misaligned fields.
      return [field(name, K_USER, { token: true })];
    case 'U':
      return [field(name, K_PATH)];
    case 'v':
      return [field(name, K_VHOST, { token: true, rank: 2 })];
    case 'V':
      return [field(name, K_VHOST, { token: true, rank: 1 })];
    default:
      throw bad(`unknown directive ${name}`);
  }
}

/** Splits a LogFormat string into literals and fields. */
export function tokenizeApacheFormat(fmt: string): TemplateToken[] {
  const out: TemplateToken[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') out.push(lit(text));
    text = '';
  };
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === '\\' && i + 1 < fmt.length) {
      // As the config parser and mod_log_config read them: \" is a quote, \n and \t are controls.
      const n = fmt[i + 1]!;
      if (n === '"' || n === '\\') text += n;
      else if (n === 'n') text += '\n';
      else if (n === 't') text += '\t';
      else text += c + n;
      i += 2;
      continue;
    }
    if (c !== '%') {
      text += c;
      i++;
      continue;
    }
    const start = i;
    i++;
    let arg: string | null = null;
    let original = false;
    let letter = '';
    let modified = false;
    while (i < fmt.length) {
      const ch = fmt[i]!;
      if (ch === '%' && !modified && arg === null) {
        letter = '%';
        i++;
        break;
      }
      if (ch === '!' || ch === ',' || (ch >= '0' && ch <= '9')) {
        // Status conditions: Apache then writes `-` on other statuses, which every field accepts.
        modified = true;
        i++;
        continue;
      }
      if (ch === '<' || ch === '>') {
        original = ch === '<';
        modified = true;
        i++;
        continue;
      }
      if (ch === '{') {
        const close = fmt.indexOf('}', i + 1);
        if (close === -1) throw bad(`unclosed { in ${fmt.slice(start, start + 20)}`);
        arg = fmt.slice(i + 1, close);
        i = close + 1;
        continue;
      }
      if (ch === '^') {
        // %{Name}^ti / %{Name}^to: request/response trailers.
        letter = fmt.slice(i, i + 3);
        i += 3;
        break;
      }
      letter = ch;
      i++;
      break;
    }
    if (letter === '') throw bad(`format ends inside ${fmt.slice(start)}`);
    if (letter === '%') {
      text += '%';
      continue;
    }
    const name = fmt.slice(start, i);
    flush();
    const prev = out[out.length - 1];
    if (letter === '^ti' || letter === '^to') out.push(field(name, K_IGNORE));
    else if (letter === 'q' && prev !== undefined && prev.t === 'field' && prev.kind === K_PATH) {
      // `%U%q`, the usual way to log path and query: one field, split at its '?'.
      out[out.length - 1] = field(`${prev.name}${name}`, K_REQUEST_URI);
    } else out.push(...directive(letter, arg, name, original));
  }
  flush();
  return out;
}

/** Name under which a compiled LogFormat reports itself. */
export function apacheFormatName(logFormat: string): string {
  return `apache:${logFormat}`;
}

export function compileApacheFormatAs(logFormat: string, format: string, allowTrailing: boolean): ByteLineParser {
  return new TemplateParser(tokenizeApacheFormat(logFormat), { format, allowTrailing });
}

export function compileApacheFormat(logFormat: string): ByteLineParser {
  return compileApacheFormatAs(logFormat, apacheFormatName(logFormat), false);
}
