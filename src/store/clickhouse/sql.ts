/**
 * SQL text with its values kept apart until the last moment: `sql` tagged templates render either
 * to `{p0:String}` placeholders + query parameters (ClickHouse ≥ 19.15) or, on older servers, to
 * literals made by escape.ts — the only place a value is ever turned into SQL text.
 */
import { sqlIdent, sqlString, sqlUInt } from './escape.js';

type ParamType = 'String' | 'UInt64' | 'Date';

class Value {
  constructor(
    readonly type: ParamType,
    readonly value: string,
  ) {}
}

class Ident {
  constructor(readonly name: string) {}
}

export class Sql {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

export const str = (v: string): Value => new Value('String', v);
export const u64 = (v: number | bigint | string): Value => new Value('UInt64', sqlUInt(v));
/** A YYYY-MM-DD date; anything else is refused before it reaches the server. */
export const date = (v: string): Value => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new TypeError(`not a date: ${JSON.stringify(v).slice(0, 40)}`);
  return new Value('Date', v);
};
/** A checked YYYY-MM-DD as an inline literal: for the few places that take no parameter (PARTITION). */
export const dateLiteral = (v: string): Sql => {
  date(v);
  return raw(`'${v}'`);
};
/** A database/table name, checked against a plain-identifier pattern. */
export const ident = (name: string): Ident => new Ident(sqlIdent(name));
/** A constant SQL fragment written in this code base (never data). */
export const raw = (text: string): Sql => new Sql([text], []);

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return new Sql([...strings], values);
}

export interface Rendered {
  query: string;
  params: Record<string, string>;
}

export function render(q: Sql | string, bind: boolean): Rendered {
  if (typeof q === 'string') return { query: q, params: {} };
  const params: Record<string, string> = {};
  let n = 0;
  const walk = (s: Sql): string => {
    let out = s.strings[0]!;
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (v instanceof Sql) out += walk(v);
      else if (v instanceof Ident) out += v.name;
      else if (v instanceof Value) {
        if (bind) {
          const name = `p${n++}`;
          params[name] = v.value;
          out += `{${name}:${v.type}}`;
        } else if (v.type === 'String') out += sqlString(v.value);
        else if (v.type === 'Date') out += `toDate(${sqlString(v.value)})`;
        else out += v.value;
      } else throw new TypeError('sql: interpolate str()/u64()/date()/ident()/raw() values only');
      out += s.strings[i + 1]!;
    }
    return out;
  };
  return { query: walk(q), params };
}

/** Joins fragments with a separator (e.g. column lists). */
export function join(parts: readonly Sql[], sep: string): Sql {
  if (parts.length === 0) return raw('');
  const strings = [''];
  for (let i = 1; i < parts.length; i++) strings.push(sep);
  strings.push('');
  return new Sql(strings, parts);
}
