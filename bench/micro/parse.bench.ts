/**
 * The parse stage alone, per preset, in ns per line: a generated log (fixtures/generate.ts, seed
 * 1, 7 days, 0.1 % malformed lines; 244 bytes a combined line) written in each preset's format
 * and held in one Buffer, parsed line by line from precomputed offsets. Two APIs:
 *
 * - bytes:  createByteParser(spec).parse(buf, start, end, fields), what the new engine runs;
 * - string: createParser(spec).parse(line, parsedLine) on latin1 strings (as split2 hands them
 *   over today), i.e. the adapter: encode, parse the bytes, slice the fields.
 *
 *   npx tsx bench/micro/parse.bench.ts [--lines N] [--runs R] [--preset NAME]… [--api bytes|string]…
 *
 * ns/line is the process's CPU time (user + system) per line, median of the runs, with the wall
 * clock beside it: on a machine shared with other work the CPU time moves far less than the wall
 * clock (bench/README.md). Target (the new engine, issue 7): ≤ ~250 ns for a 244-byte combined
 * line on an idle machine.
 */
import { parseArgs } from 'node:util';
import { generateLines } from '../../fixtures/generate.js';
import { LineFields, emptyParsedLine } from '../../src/core/record.js';
import { PRESETS, createByteParser, createParser, fieldText, type PresetName } from '../../src/parse/index.js';
import { F_PATH, F_QUERY, F_REFERRER, F_REQUEST, F_UA, F_USER, F_IP } from '../../src/core/line-fields.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '5' },
    preset: { type: 'string', multiple: true },
    api: { type: 'string', multiple: true },
  },
});
const N = Number(values.lines);
const RUNS = Number(values.runs);
const presets = (values.preset ?? [...PRESETS]) as PresetName[];
for (const p of presets) if (!PRESETS.includes(p)) throw new Error(`unknown preset ${p}`);
const apis = values.api ?? ['bytes', 'string'];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** The generated combined lines written in another preset's format (from their parsed fields). */
function rewrite(lines: readonly string[], preset: PresetName): string[] {
  if (preset === 'combined' || preset === 'nginx_combined') return [...lines];
  if (preset === 'vhost_combined') return [...generateLines({ lines: N, seed: 1, days: 7, format: 'vhost_combined' })];
  const p = createByteParser({ format: 'combined' });
  const f = new LineFields();
  return lines.map((l) => {
    const b = Buffer.from(l, 'latin1');
    // Malformed lines stay malformed in every format.
    if (p.parse(b, 0, b.length, f) !== 0) return l;
    const close = l.indexOf('"', l.indexOf('"') + 1);
    if (preset === 'common') return l.slice(0, l.indexOf(' "', close + 1));
    const d = new Date(f.time * 1000);
    if (preset === 'xferlog') {
      const ctime = `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
      const user = fieldText(f, F_USER) || 'anonymous';
      return `${ctime} 1 ${fieldText(f, F_IP)} ${f.bytes} ${fieldText(f, F_PATH)} b _ o ${user === 'anonymous' ? 'a' : 'r'} ${user} ftp 0 * c`;
    }
    const q = fieldText(f, F_QUERY);
    const request = fieldText(f, F_REQUEST);
    return JSON.stringify({
      level: 'info',
      ts: f.time + 0.123456,
      logger: 'http.log.access.log0',
      msg: 'handled request',
      request: {
        remote_ip: fieldText(f, F_IP),
        remote_port: '51234',
        client_ip: fieldText(f, F_IP),
        proto: request.slice(request.lastIndexOf(' ') + 1),
        method: request.slice(0, request.indexOf(' ')),
        host: 'www.example.com',
        uri: q === '' ? fieldText(f, F_PATH) : `${fieldText(f, F_PATH)}?${q}`,
        headers: { 'User-Agent': [fieldText(f, F_UA)], Referer: [fieldText(f, F_REFERRER)], Accept: ['*/*'] },
      },
      bytes_read: 0,
      user_id: fieldText(f, F_USER),
      duration: 0.001234,
      size: f.bytes,
      status: f.status,
      resp_headers: { Server: ['Caddy'], 'Content-Type': ['text/html; charset=utf-8'] },
    });
  });
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

const combined = [...generateLines({ lines: N, seed: 1, days: 7 })];
console.log(`parse, ${N} generated lines per preset, median of ${RUNS} runs (after one warm-up run)`);
console.log('| preset | bytes/line | api | CPU ns/line | wall ns/line | parsed |');
console.log('| --- | ---: | --- | ---: | ---: | ---: |');
for (const preset of presets) {
  const lines = rewrite(combined, preset);
  const text = `${lines.join('\n')}\n`;
  const buf = Buffer.from(text, 'latin1');
  const starts = new Int32Array(lines.length);
  const ends = new Int32Array(lines.length);
  let s = 0;
  let k = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 10) continue;
    starts[k] = s;
    ends[k++] = i;
    s = i + 1;
  }
  // Own strings per line, as a line splitter hands them over (not slices of one big string).
  const strings = lines.map((l) => Buffer.from(l, 'latin1').toString('latin1'));
  for (const api of apis) {
    let run: () => number;
    if (api === 'bytes') {
      const parser = createByteParser({ format: preset });
      const out = new LineFields();
      run = () => {
        let ok = 0;
        for (let i = 0; i < k; i++) if (parser.parse(buf, starts[i]!, ends[i]!, out) === 0) ok++;
        return ok;
      };
    } else if (api === 'string') {
      const parser = createParser({ format: preset });
      const out = emptyParsedLine();
      run = () => {
        let ok = 0;
        for (let i = 0; i < strings.length; i++) if (parser.parse(strings[i]!, out) === null) ok++;
        return ok;
      };
    } else throw new Error(`unknown api ${api}`);
    run();
    const cpu: number[] = [];
    const wall: number[] = [];
    let ok = 0;
    for (let r = 0; r < RUNS; r++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      ok = run();
      wall.push(Number(process.hrtime.bigint() - t0) / k);
      const c = process.cpuUsage(c0);
      cpu.push(((c.user + c.system) * 1000) / k);
    }
    console.log(`| ${preset} | ${Math.round(buf.length / k)} | ${api} | ${median(cpu).toFixed(0)} | ${median(wall).toFixed(0)} | ${((100 * ok) / k).toFixed(1)} % |`);
  }
}
