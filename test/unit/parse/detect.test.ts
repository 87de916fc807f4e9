import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { LineFields } from '../../../src/core/record.js';
import { isAppError } from '../../../src/core/errors.js';
import { PRESETS, detectFormat, detectOrExplain, undetectedError } from '../../../src/parse/index.js';
import { SHARED_LOGS, fixtureLines, haveShared, ok, utc } from './helpers.js';

const T = '[10/Oct/2000:13:55:36 -0700]';
const COMBINED = `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5 "-" "ua"`;
const COMMON = `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5`;
const VHOST = `www.example.com:80 1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5 "-" "ua"`;
const VHOST_COMMON = `www.example.com 1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5`;
const XFER = 'Mon Oct 12 13:55:36 2020 1 192.0.2.1 1234 /f.txt b _ o r alice ftp 0 * c';
const CADDY =
  '{"level":"info","ts":1703373474.8155608,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"1.2.3.4","client_ip":"1.2.3.4",' +
  '"proto":"HTTP/2.0","method":"GET","host":"example.com","uri":"/","headers":{"User-Agent":["curl/8"]}},"user_id":"","duration":0.001,"size":3609,"status":200}';

/** The head of an input holding these lines, each ending with a newline. */
const head = (lines: readonly string[]): Buffer => Buffer.from(lines.map((l) => `${l}\n`).join(''), 'latin1');

/** The code of the error detection gives for `bytes`. */
function failure(bytes: Uint8Array): { code: string; message: string; hint: string } {
  try {
    detectOrExplain(bytes);
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message, hint: e.hint };
    throw e;
  }
  throw new Error('detected a format');
}

describe('detectFormat', () => {
  it('picks the preset that parses the most lines', () => {
    expect(detectFormat(head([COMMON, COMMON, COMBINED]))?.name).toBe('common');
    expect(detectFormat(head([COMBINED, COMBINED, COMMON]))).toMatchObject({ name: 'combined', parsed: 2, sampled: 3 });
    expect(detectFormat(head([VHOST, VHOST]))).toMatchObject({ name: 'vhost_combined', parsed: 2 });
    expect(detectFormat(head([VHOST_COMMON, `shop.example:443 ${COMMON}`]))).toMatchObject({ name: 'vhost_common', parsed: 2 });
    // Each of the four CLF shapes is read by its own preset only.
    expect(detectFormat(head([COMMON, COMMON]))).toMatchObject({ name: 'common', parsed: 2 });
    expect(detectFormat(head([VHOST, VHOST_COMMON, VHOST]))).toMatchObject({ name: 'vhost_combined', parsed: 2 });
    expect(detectFormat(head([XFER, '', XFER]))).toMatchObject({ name: 'xferlog', parsed: 2 });
    expect(detectFormat(head([CADDY, CADDY]))).toMatchObject({ name: 'caddy', parsed: 2 });
  });

  it('breaks ties in the documented order (combined before nginx_combined)', () => {
    // Every combined line with '-' as ident is also an nginx_combined line.
    const r = detectFormat(head([COMBINED]));
    expect(r?.name).toBe('combined');
    expect(r?.parser.format).toBe('combined');
  });

  it('needs at least half of the non-empty lines', () => {
    expect(detectFormat(head([COMBINED, 'junk', 'junk']))).toBeNull();
    expect(detectFormat(head([COMBINED, 'junk', '', '  ']))?.name).toBe('combined');
    expect(detectFormat(new Uint8Array(0))).toBeNull();
    expect(detectFormat(head(['', ' ', '\r']))).toBeNull();
  });

  it('looks at whole lines only: a last piece without its newline may be cut, a lone line is whole', () => {
    expect(detectFormat(Buffer.from(`${COMBINED}\n${COMBINED.slice(0, 30)}`))).toMatchObject({ name: 'combined', parsed: 1, sampled: 1 });
    expect(detectFormat(Buffer.from(COMBINED))).toMatchObject({ name: 'combined', parsed: 1, sampled: 1 });
    // At most 200 lines.
    expect(detectFormat(head(Array(300).fill(COMMON)))).toMatchObject({ parsed: 200, sampled: 200 });
  });

  it('returns a parser that is ready to use', () => {
    const r = detectFormat(head([VHOST]));
    expect(r && ok(r.parser, VHOST).vhost).toBe('www.example.com');
  });

  it('detects the fixture logs', () => {
    const file = (rel: string) => head(fixtureLines(rel));
    expect(detectFormat(file('tricky/tricky_lines.log'))?.name).toBe('combined');
    expect(detectFormat(file('edge-cases/apache_access_darwin-2.4.23.log'))?.name).toBe('common');
    expect(detectFormat(file('edge-cases/nginx_access_access.log'))?.name).toBe('combined');
    expect(detectFormat(file('edge-cases/apache_access_test-vhost.log'))?.name).toBe('vhost_combined');
    expect(detectFormat(file('edge-cases/apache_access_ssl-request.log'))).toBeNull();
  });

  it('detects logs whose clients are host names (HostnameLookups On)', () => {
    const lines = fixtureLines('hostnames/hostname_lookups.log');
    const r = detectFormat(head(lines));
    expect(r).toMatchObject({ name: 'common', parsed: 8, sampled: 10 });
    const out = new LineFields();
    const names = lines.filter((l) => {
      const b = Buffer.from(l, 'latin1');
      return r!.parser.parse(b, 0, b.length, out) === 0 && out.clientIsName;
    });
    expect(names).toHaveLength(6);
    expect(ok(r!.parser, lines[0]!)).toMatchObject({ ip: 'pool-71-104-40-142.lsanca.dsl-w.verizon.net', clientIsName: true, time: utc(1995, 7, 1, 4, 0, 1), path: '/history/apollo/' });
  });
});

describe('why detection failed', () => {
  it('says gzip for gzip bytes, with the way out', () => {
    const e = failure(gzipSync(head([COMBINED, COMBINED])));
    expect(e.code).toBe('ERR_PARSE_DETECT_GZIP');
    expect(e.hint).toMatch(/zcat/);
    expect(e.hint).toMatch(/file name/);
  });

  it('says binary for a NUL byte or mostly non-text bytes', () => {
    expect(failure(Buffer.concat([head([COMBINED.slice(0, 20)]), Buffer.from([0, 1, 2])])).code).toBe('ERR_PARSE_DETECT_BINARY');
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = 1 + ((i * 7919) % 254);
    const e = failure(noise);
    expect(e.code).toBe('ERR_PARSE_DETECT_BINARY');
    expect(e.message).toMatch(/% of its first 4096 bytes are not text/);
    // Text in another encoding (latin1, Big5) is still text: the usual message.
    expect(failure(head(['caf\xe9 cr\xe8me br\xfbl\xe9e', 'na\xefve'])).code).toBe('ERR_PARSE_DETECT_FAILED');
  });

  it('says JSON for JSON lines that are not Caddy, naming both ways to read them', () => {
    const e = failure(head(['{"time":"2024-01-01T00:00:00Z","ip":"1.2.3.4","status":200}', '{"time":"2024-01-01T00:00:01Z","ip":"1.2.3.4","status":404}']));
    expect(e.code).toBe('ERR_PARSE_DETECT_JSON');
    expect(e.hint).toContain('--format caddy');
    expect(e.hint).toContain('escape=json');
  });

  it('otherwise says which formats were tried', () => {
    const e = failure(head(['hello world', 'something else']));
    expect(e.code).toBe('ERR_PARSE_DETECT_FAILED');
    expect(e.message).toContain('first 2 lines');
    for (const p of PRESETS) expect(e.message).toContain(p);
    expect(undetectedError(head(['hello'])).code).toBe('ERR_PARSE_DETECT_FAILED');
  });
});

// Matomo's samples are GPL-3.0: read in place from ../shared, never copied into the repo.
const GPL = join(SHARED_LOGS, 'formats-gpl3');
const gpl = (name: string): Buffer => readFileSync(join(GPL, name));

describe.skipIf(!haveShared(GPL))('detectFormat on the Matomo format samples (../shared)', () => {
  it('common.log is common', () => {
    expect(detectFormat(gpl('common.log'))).toMatchObject({ name: 'common', parsed: 1 });
  });

  it('ncsa_extended.log is combined, common_complete.log (vhost, no port) is vhost_combined', () => {
    expect(detectFormat(gpl('ncsa_extended.log'))?.name).toBe('combined');
    expect(detectFormat(gpl('common_complete.log'))?.name).toBe('vhost_combined');
  });

  it('common_vhost.log (%v %h … without referer and UA) is vhost_common', () => {
    const lines = gpl('common_vhost.log').toString('latin1').split('\n').filter((l) => l !== '');
    const r = detectFormat(gpl('common_vhost.log'));
    expect(r).toMatchObject({ name: 'vhost_common', parsed: lines.length });
    expect(ok(r!.parser, lines[0]!)).toMatchObject({ vhost: 'www.example.com', ip: '1.2.3.4', user: 'theuser', time: utc(2012, 2, 10, 21, 42, 7), status: 301, bytes: 368 });
  });

  it('caddy_json.log is caddy', () => {
    const r = detectFormat(gpl('caddy_json.log'));
    expect(r?.name).toBe('caddy');
    expect(r!.parsed).toBe(r!.sampled);
  });

  it('rejects IIS, other JSON and other non-CLF formats, saying JSON for the JSON ones', () => {
    for (const f of ['iis.log', 'nginx_json.log', 'traefik_json.log', 'incapsula_w3c.log', 'amazon_cloudfront_web.log', 'elb.log', 's3.log']) {
      expect(detectFormat(gpl(f)), f).toBeNull();
    }
    expect(failure(gpl('nginx_json.log')).code).toBe('ERR_PARSE_DETECT_JSON');
    expect(failure(gpl('traefik_json.log')).code).toBe('ERR_PARSE_DETECT_JSON');
    expect(failure(gpl('iis.log')).code).toBe('ERR_PARSE_DETECT_FAILED');
  });

  it('says gzip for the .gz sample and binary for the .bz2 one', () => {
    expect(failure(gpl('common.log.gz')).code).toBe('ERR_PARSE_DETECT_GZIP');
    expect(failure(gpl('common.log.bz2')).code).toBe('ERR_PARSE_DETECT_BINARY');
  });
});

const ELASTIC = join(SHARED_LOGS, 'elastic_apache_logs.log');

describe.skipIf(!haveShared(ELASTIC))('detectFormat on real logs (../shared)', () => {
  it('the elastic and nielsbasjes samples are combined, and nearly every line parses', () => {
    for (const f of ['elastic_apache_logs.log', 'nielsbasjes_hackers-access.log']) {
      const bytes = readFileSync(join(SHARED_LOGS, f));
      const r = detectFormat(bytes.subarray(0, 64 * 1024));
      expect(r?.name, f).toBe('combined');
      let parsed = 0;
      let lines = 0;
      const out = new LineFields();
      let s = 0;
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== 10) continue;
        lines++;
        if (r!.parser.parse(bytes, s, i, out) === 0) parsed++;
        s = i + 1;
      }
      expect(parsed / lines, f).toBeGreaterThan(0.99);
    }
  });
});
