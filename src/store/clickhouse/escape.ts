/**
 * The one audited path by which a value becomes SQL text, for servers without query parameters
 * (ClickHouse < 19.15, e.g. Debian's 18.16). Newer servers get bound parameters instead
 * (sql.ts); this file is still used there for nothing but identifiers.
 *
 * Why every byte outside printable ASCII becomes `\xHH`: ClickHouse's string-literal lexer only
 * treats `\` and `'` specially, but what follows a backslash is version dependent (18.16 reads
 * `'\N'` as an empty string, not as `\N`). Emitting only letters, digits and a short list of
 * punctuation verbatim and hex-escaping everything else (UTF-8 bytes, quotes, backslashes, NUL,
 * control bytes) leaves the lexer nothing to interpret: the literal's bytes are exactly the
 * value's UTF-8 bytes. Covered by test/integration/clickhouse/injection.test.ts.
 */

const HEX = '0123456789ABCDEF';

/** Bytes that may stand for themselves inside '…': no quote, no backslash, no control byte. */
function plain(b: number): boolean {
  return (
    (b >= 0x30 && b <= 0x39) || // 0-9
    (b >= 0x41 && b <= 0x5a) || // A-Z
    (b >= 0x61 && b <= 0x7a) || // a-z
    b === 0x20 || b === 0x2e || b === 0x2d || b === 0x5f || b === 0x3a || b === 0x2f || b === 0x40
  );
}

/** A JS string as a ClickHouse string literal, quotes included. Lone surrogates become U+FFFD (UTF-8 encoding). */
export function sqlString(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = "'";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (plain(b)) out += String.fromCharCode(b);
    else out += `\\x${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return `${out}'`;
}

/** An unsigned integer literal; refuses anything that is not one (no silent coercion). */
export function sqlUInt(value: number | bigint | string): string {
  const s = typeof value === 'string' ? value : String(value);
  if (!/^[0-9]{1,20}$/.test(s)) throw new TypeError(`not an unsigned integer: ${JSON.stringify(s).slice(0, 40)}`);
  return s;
}

/** A database or table name: checked once when a store opens, never built from data. */
export function sqlIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new TypeError(`not a plain identifier: ${JSON.stringify(name).slice(0, 80)}`);
  return name;
}
