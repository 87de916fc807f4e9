/**
 * Property tests: no input makes a parser throw or return something outside the contract, and a
 * generated line (written with each server's own escaping) reads back to the fields it was made of.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { LineFields, REJECT_REASONS, TEXT_FIELDS, type ByteLineParser } from '../../../src/core/record.js';
import { PRESETS, compileApacheFormat, compileNginxFormat, createByteParser } from '../../../src/parse/index.js';
import { fenced, fixtureLines, recordOf, type Rec } from './helpers.js';

const parsers: ByteLineParser[] = [
  ...PRESETS.map((p) => createByteParser({ format: p })),
  compileApacheFormat('%v %h %l %u %t "%r" %>s %b "%{X-Forwarded-For}i"'),
  compileApacheFormat('%h [%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] "%m %U%q %H" %>s %B %D'),
  compileApacheFormat('%{sec}t %a "%{User-Agent}i" %>s'),
  compileNginxFormat('$host:$server_port "$http_x_forwarded_for" $remote_addr [$time_iso8601] "$request" $status $bytes_sent "$http_user_agent" $request_time'),
  compileNginxFormat('$msec $remote_addr "$request_method $uri$is_args$args $server_protocol" $status'),
  compileNginxFormat(`escape=json '{"t":"$time_iso8601","ip":"$remote_addr","r":"$request","s":$status,"ua":"$http_user_agent"}'`),
  compileNginxFormat(`escape=none '$remote_addr [$time_local] "$request" $status "$http_referer"'`),
];

/** Parses with every parser and checks the contract; false on any breach. */
function contractHolds(line: string): boolean {
  const out = new LineFields();
  const { buf, start, end } = fenced(line);
  for (const p of parsers) {
    const code = p.parse(buf, start, end, out);
    if (!Number.isInteger(code) || code < 0 || code > REJECT_REASONS.length) return false;
    if (out.src !== buf || out.scratchUsed < 0 || out.scratchUsed > out.scratch.length) return false;
    if (code !== 0) continue;
    for (let f = 0; f < TEXT_FIELDS; f++) {
      const s = out.start[f]!;
      const e = out.end[f]!;
      if (s > e) return false;
      if (s === e) continue;
      // A range lies inside the line, or inside the scratch bytes in use.
      if (out.inScratch[f] === 1 ? e > out.scratchUsed : s < start || e > end) return false;
    }
    if (!Number.isInteger(out.time) || !Number.isInteger(out.day) || !Number.isInteger(out.status) || !Number.isInteger(out.bytes)) return false;
    if (out.hour < 0 || out.hour > 23 || out.status < 0 || out.status > 599 || out.bytes < 0) return false;
    if (!Number.isInteger(out.timeTakenUs) || out.timeTakenUs < -1) return false;
  }
  return true;
}

const byte = fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b));
const latin1String = fc.string({ unit: byte, maxLength: 400 });
const validLines = [
  ...fixtureLines('tricky/tricky_lines.log'),
  ...fixtureLines('edge-cases/nginx_access_test-with-host.log'),
  ...fixtureLines('hostnames/hostname_lookups.log'),
  'Mon Oct 12 13:55:36 2020 1 192.0.2.1 1234 /p q/f.txt b _ o r alice ftp 0 * c',
  '{"ts":1703373474.81,"request":{"remote_ip":"1.2.3.4","client_ip":"5.6.7.8","proto":"HTTP/2.0","method":"GET","host":"Example.com:443","uri":"/a?b=\\u00e9","headers":{"User-Agent":["c\\"u"],"Referer":["r"]}},"user_id":"u","duration":0.5,"size":3,"status":200}',
];

describe('parse never throws and keeps its contract', () => {
  it('for arbitrary strings (any UTF-16 code unit)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), contractHolds), { numRuns: 2000 });
  });

  it('for arbitrary latin1 byte strings', () => {
    fc.assert(fc.property(latin1String, contractHolds), { numRuns: 2000 });
  });

  it('for mutations of valid lines (inserted quotes, backslashes, NUL, \\r, cuts)', () => {
    const insert = fc.constantFrom('"', '\\', '\x00', '\r', ' ', '[', ']', '\\"', '\\x', '\\x4', '\\u00', '-', ':', '%', '""', '\t');
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: insert }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...validLines), fc.array(mutation, { minLength: 1, maxLength: 6 }), (line, muts) => {
        let s = line;
        for (const m of muts) {
          const at = m.at % (s.length + 1);
          s = m.kind === 'insert' ? s.slice(0, at) + m.text + s.slice(at) : s.slice(0, at) + s.slice(at + m.len);
        }
        return contractHolds(s);
      }),
      { numRuns: 3000 },
    );
  });

  it('for long and repetitive lines', () => {
    const piece = fc.constantFrom('"', '\\', ' ', '"GET / HTTP/1.1" ', '[10/Oct/2000:13:55:36 -0700] ', '- ', '1.2.3.4 ', '\\"');
    fc.assert(
      fc.property(piece, fc.integer({ min: 1, max: 20_000 }), (p, n) => contractHolds(p.repeat(n))),
      { numRuns: 60 },
    );
  });
});

// ---- round trip ----

interface Fields {
  ip: string;
  user: string;
  t: number;
  offMin: number;
  method: string;
  path: string;
  query: string | null;
  protocol: string;
  status: number;
  bytes: number | null;
  referrer: string;
  userAgent: string;
}

const pathByte = fc.integer({ min: 0x21, max: 0xff }).filter((b) => b !== 0x3f).map((b) => String.fromCharCode(b));
const queryByte = fc.integer({ min: 0x21, max: 0xff }).map((b) => String.fromCharCode(b));
const anyText = fc.oneof(fc.constant('-'), fc.constant(''), fc.string({ unit: byte, maxLength: 60 }));

const fieldsArb: fc.Arbitrary<Fields> = fc.record({
  ip: fc.oneof(fc.ipV4(), fc.ipV6()),
  user: fc.oneof(fc.constant('-'), fc.stringMatching(/^[A-Za-z0-9._@]{1,16}$/)),
  t: fc.integer({ min: 0, max: 4_102_444_800 }),
  offMin: fc.integer({ min: -48, max: 56 }).map((q) => q * 15),
  method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND', 'MKCOL'),
  path: fc.string({ unit: pathByte, maxLength: 40 }).map((p) => `/${p}`),
  query: fc.option(fc.string({ unit: queryByte, maxLength: 30 })),
  protocol: fc.constantFrom('HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0'),
  status: fc.integer({ min: 100, max: 599 }),
  bytes: fc.option(fc.integer({ min: 0, max: 1e12 })),
  referrer: anyText,
  userAgent: anyText,
});

const hex2 = (c: number) => c.toString(16).padStart(2, '0');

/** Apache's ap_escape_logitem: \" \\ and C escapes, other non-printables as \xhh. */
function apacheEscape(s: string): string {
  let o = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') o += `\\${ch}`;
    else if (ch === '\n') o += '\\n';
    else if (ch === '\t') o += '\\t';
    else if (ch === '\r') o += '\\r';
    else if (c < 0x20 || c >= 0x7f) o += `\\x${hex2(c)}`;
    else o += ch;
  }
  return o;
}

/** nginx's default escaping: " \ and bytes outside 0x20-0x7E as \xHH. */
function nginxEscape(s: string): string {
  let o = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    o += ch === '"' || ch === '\\' || c < 0x20 || c > 0x7e ? `\\x${hex2(c).toUpperCase()}` : ch;
  }
  return o;
}

function clfTime(t: number, offMin: number): string {
  const d = new Date((t + offMin * 60) * 1000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const mon = d.toUTCString().slice(8, 11);
  const a = Math.abs(offMin);
  return `${p2(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${offMin < 0 ? '-' : '+'}${p2(Math.floor(a / 60))}${p2(a % 60)}`;
}

function combinedLine(f: Fields, esc: (s: string) => string): string {
  const target = f.query === null ? f.path : `${f.path}?${f.query}`;
  const req = esc(`${f.method} ${target} ${f.protocol}`);
  const bytes = f.bytes === null ? '-' : String(f.bytes);
  return `${f.ip} - ${f.user} [${clfTime(f.t, f.offMin)}] "${req}" ${f.status} ${bytes} "${esc(f.referrer)}" "${esc(f.userAgent)}"`;
}

function expected(f: Fields): Partial<Rec> {
  const local = new Date((f.t + f.offMin * 60) * 1000);
  return {
    ip: f.ip,
    clientIsName: false,
    user: f.user === '-' ? '' : f.user,
    time: f.t,
    date: local.toISOString().slice(0, 10),
    hour: local.getUTCHours(),
    method: f.method,
    path: f.path,
    query: f.query ?? '',
    protocol: f.protocol,
    status: f.status,
    bytes: f.bytes ?? 0,
    referrer: f.referrer === '-' ? '' : f.referrer,
    userAgent: f.userAgent === '-' ? '' : f.userAgent,
  };
}

/** Parses one line into a record, insisting on success. */
function parseOk(p: ByteLineParser, line: string): Rec {
  const out = new LineFields();
  const { buf, start, end } = fenced(line);
  expect(p.parse(buf, start, end, out), line).toBe(0);
  return recordOf(out);
}

describe('a generated line reads back to its fields', () => {
  it('combined, written with Apache escaping', () => {
    const p = createByteParser({ format: 'combined' });
    fc.assert(
      fc.property(fieldsArb, (f) => {
        expect(parseOk(p, combinedLine(f, apacheEscape))).toMatchObject(expected(f));
      }),
      { numRuns: 1000 },
    );
  });

  it('nginx_combined, written with nginx escaping', () => {
    const p = createByteParser({ format: 'nginx_combined' });
    fc.assert(
      fc.property(fieldsArb, (f) => {
        expect(parseOk(p, combinedLine(f, nginxEscape))).toMatchObject(expected(f));
      }),
      { numRuns: 1000 },
    );
  });
});
