/**
 * The template engine shared by Apache LogFormat and nginx log_format. A format is compiled once
 * into a flat list of steps (literal, field up to a delimiter, quoted field, self-delimited
 * time), and the steps into one scanner function (template-codegen.ts) that runs over the bytes
 * of a line and fills ranges of the reused LineFields. No regex, no strings, no objects per
 * line; escaped values are decoded into scratch.
 */
import type { ByteLineParser, LineFields } from '../core/line-fields.js';
import { appError } from '../core/errors.js';
import { ESC_LOG } from './escape.js';
import { HAS_DAY, HAS_EPOCH, HAS_MONTH, HAS_YEAR, type StrftimeProgram } from './time.js';
import { K_IGNORE, K_METHOD, K_PATH, K_PROTOCOL, K_QUERY, K_QUERY_Q, K_REQUEST, K_REQUEST_URI, K_TIME_CLF, K_TIME_EPOCH, K_TIME_ISO, K_TIME_STRF, K_VHOST } from './template-kinds.js';
import { S_DELIM, S_LIT, S_LIT1, S_QUOTED, S_REST, S_TIME_CLF, S_TIME_ISO, S_TIME_STRF, S_TOKEN, ScanState, Step } from './template-scan.js';
import { generateScanner, type ScanFunction } from './template-codegen.js';

const EMPTY = new Uint8Array(0);

export * from './template-kinds.js';

export interface FieldToken {
  readonly t: 'field';
  kind: number;
  /** As written in the format, for error messages. */
  readonly name: string;
  /** Among fields feeding the same value, the highest rank wins (ties: the first). */
  readonly rank: number;
  /** The value never contains a space (so a last field ends at the first space). */
  token: boolean;
  /** A port (%p, $server_port): joins a preceding `vhost:` into one field. */
  readonly port: boolean;
  /** Epoch divisor for K_TIME_EPOCH; microseconds per unit for K_TIME_TAKEN. */
  readonly scale: number;
  readonly strf: StrftimeProgram | null;
  /** K_IP: a DNS host name is a client too (Apache %h with HostnameLookups On). */
  readonly hostName: boolean;
  /** A time field that lost to another one: still parsed (to find its end), result dropped. */
  discard: boolean;
}

export interface LiteralToken {
  readonly t: 'lit';
  text: string;
}

export type TemplateToken = FieldToken | LiteralToken;

export function lit(text: string): LiteralToken {
  return { t: 'lit', text };
}

export function field(
  name: string,
  kind: number,
  opts: { rank?: number; token?: boolean; port?: boolean; scale?: number; strf?: StrftimeProgram; hostName?: boolean } = {},
): FieldToken {
  return {
    t: 'field',
    kind,
    name,
    rank: opts.rank ?? 1,
    token: opts.token ?? false,
    port: opts.port ?? false,
    scale: opts.scale ?? 1,
    strf: opts.strf ?? null,
    hostName: opts.hostName ?? false,
    discard: false,
  };
}

export interface TemplateOptions {
  /** The parser's `format` name. */
  readonly format: string;
  /** Extra space-separated fields after the last one are ignored (combined-style presets). */
  readonly allowTrailing: boolean;
  /** How values are escaped (escape.ts): ESC_LOG, ESC_JSON or ESC_NONE. */
  readonly escape?: number;
}

function badTemplate(why: string): Error {
  return appError('ERR_PARSE_BAD_TEMPLATE', why);
}

function isTimeKind(k: number): boolean {
  return k === K_TIME_CLF || k === K_TIME_ISO || k === K_TIME_EPOCH || k === K_TIME_STRF;
}

/** Which single value a kind feeds (fields of one group compete by rank). */
function groupOf(k: number): number {
  return k === K_QUERY_Q ? K_QUERY : k;
}

/** Keeps one winner per value so a format with `%h` and `%a` (say) is well defined. */
function resolveCompetition(fields: FieldToken[]): void {
  const hasRequest = fields.some((f) => f.kind === K_REQUEST);
  const hasRequestUri = fields.some((f) => f.kind === K_REQUEST_URI);
  for (const f of fields) {
    // %r / $request is the raw request: it beats the decoded %U/$uri and the separate parts.
    if (hasRequest && (f.kind === K_METHOD || f.kind === K_PATH || f.kind === K_QUERY || f.kind === K_QUERY_Q || f.kind === K_REQUEST_URI || f.kind === K_PROTOCOL)) {
      f.kind = K_IGNORE;
    } else if (!hasRequest && hasRequestUri && (f.kind === K_PATH || f.kind === K_QUERY || f.kind === K_QUERY_Q)) {
      f.kind = K_IGNORE;
    }
  }
  // Time: one of %t / $time_local / $time_iso8601 / $msec wins; strftime parts combine otherwise.
  const mainTime = fields.find((f) => f.kind === K_TIME_CLF || f.kind === K_TIME_ISO || f.kind === K_TIME_EPOCH);
  if (mainTime !== undefined) {
    for (const f of fields) {
      if (f === mainTime || !isTimeKind(f.kind)) continue;
      if (f.kind === K_TIME_EPOCH) f.kind = K_IGNORE;
      else f.discard = true;
    }
  }
  const best = new Map<number, FieldToken>();
  for (const f of fields) {
    if (f.kind === K_IGNORE || isTimeKind(f.kind)) continue;
    const g = groupOf(f.kind);
    const cur = best.get(g);
    if (cur === undefined || f.rank > cur.rank) best.set(g, f);
  }
  for (const f of fields) {
    if (f.kind === K_IGNORE || isTimeKind(f.kind)) continue;
    if (best.get(groupOf(f.kind)) !== f) f.kind = K_IGNORE;
  }
}

/** The format's literal text as the bytes a server writes (the configuration is UTF-8). */
function bytesOf(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/** Parses lines of one compiled format. */
export class TemplateParser implements ByteLineParser {
  readonly format: string;
  readonly hasVhost: boolean;
  readonly #scan: ScanFunction;
  readonly #state = new ScanState();

  constructor(tokens: readonly TemplateToken[], opts: TemplateOptions) {
    this.format = opts.format;
    // Work on copies: compiling mutates tokens (demotion, consumed quotes).
    const toks: TemplateToken[] = [];
    for (const t of tokens) {
      const c: TemplateToken = { ...t };
      const prev = toks[toks.length - 1];
      if (c.t === 'lit' && prev !== undefined && prev.t === 'lit') prev.text += c.text;
      else if (c.t !== 'lit' || c.text !== '') toks.push(c);
    }
    const fields = toks.filter((t): t is FieldToken => t.t === 'field');
    if (fields.length === 0) throw badTemplate('the format has no fields');
    resolveCompetition(fields);

    const timeFields = fields.filter((f) => isTimeKind(f.kind) && !f.discard);
    if (timeFields.length === 0) throw badTemplate('the format has no time field (%t, $time_local, $time_iso8601 or $msec)');
    if (timeFields[0]!.kind === K_TIME_STRF) {
      let provides = 0;
      for (const f of timeFields) provides |= f.strf!.provides;
      const date = HAS_YEAR | HAS_MONTH | HAS_DAY;
      if ((provides & HAS_EPOCH) === 0 && (provides & date) !== date) {
        throw badTemplate('the time fields do not give a full date (year, month and day)');
      }
    }
    const hasStrf = timeFields.some((f) => f.kind === K_TIME_STRF);

    // `%v:%p` / `$host:$server_port`: read as one field, so a vhost written without a port fits too.
    for (let i = 0; i + 2 < toks.length; i++) {
      const a = toks[i]!;
      const b = toks[i + 1]!;
      const c = toks[i + 2]!;
      const d = toks[i + 3];
      if (a.t === 'field' && a.kind === K_VHOST && b.t === 'lit' && b.text === ':' && c.t === 'field' && c.port && (d === undefined || (d.t === 'lit' && d.text.startsWith(' ')))) {
        a.token = true;
        toks.splice(i + 1, 2);
      }
    }

    const steps: Step[] = [];
    const step = (type: number, tk: FieldToken | null, text: Uint8Array): Step =>
      new Step(type, tk?.kind ?? K_IGNORE, text, tk?.scale ?? 1, tk?.strf ?? null, tk?.discard ?? false, tk?.hostName ?? false, false);
    for (let i = 0; i < toks.length; i++) {
      const tk = toks[i]!;
      if (tk.t === 'lit') {
        const text = bytesOf(tk.text);
        if (text.length > 0) steps.push(step(text.length === 1 ? S_LIT1 : S_LIT, null, text));
        continue;
      }
      const prev = toks[i - 1];
      const next = toks[i + 1];
      if (tk.kind === K_TIME_CLF || tk.kind === K_TIME_ISO || tk.kind === K_TIME_STRF) {
        steps.push(step(tk.kind === K_TIME_CLF ? S_TIME_CLF : tk.kind === K_TIME_ISO ? S_TIME_ISO : S_TIME_STRF, tk, EMPTY));
        continue;
      }
      if (prev !== undefined && prev.t === 'lit' && prev.text.endsWith('"') && next !== undefined && next.t === 'lit' && next.text.startsWith('"')) {
        // The quoted field consumes its closing quote, so the scanner can verify what follows it.
        next.text = next.text.slice(1);
        steps.push(step(S_QUOTED, tk, bytesOf(next.text)));
        continue;
      }
      if (next === undefined) {
        steps.push(step(tk.token ? S_TOKEN : S_REST, tk, EMPTY));
        continue;
      }
      if (next.t === 'field') throw badTemplate(`${tk.name} and ${next.name} have nothing between them`);
      // A token ends at the first space; the literal step then checks the rest.
      if (tk.token && next.text.startsWith(' ')) steps.push(step(S_TOKEN, tk, EMPTY));
      else steps.push(step(S_DELIM, tk, bytesOf(next.text)));
    }
    steps[steps.length - 1]!.last = true;
    this.#scan = generateScanner(steps, { allowTrailing: opts.allowTrailing, escape: opts.escape ?? ESC_LOG, hasStrf });
    this.hasVhost = fields.some((f) => f.kind === K_VHOST);
  }

  parse(b: Uint8Array, start: number, end: number, out: LineFields): number {
    return this.#scan(b, start, end, out, this.#state);
  }
}
