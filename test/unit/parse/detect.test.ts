import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { compileApacheFormat, detectFormat } from '../../../src/parse/index.js';
import { SHARED_LOGS, fixtureLines, ok, utc } from './helpers.js';

const T = '[10/Oct/2000:13:55:36 -0700]';
const COMBINED = `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5 "-" "ua"`;
const COMMON = `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5`;
const VHOST = `www.example.com:80 1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5 "-" "ua"`;
const XFER = 'Mon Oct 12 13:55:36 2020 1 192.0.2.1 1234 /f.txt b _ o r alice ftp 0 * c';

describe('detectFormat', () => {
  it('picks the preset that parses the most lines', () => {
    expect(detectFormat([COMMON, COMMON, COMBINED])?.name).toBe('common');
    expect(detectFormat([COMBINED, COMBINED, COMMON])).toMatchObject({ name: 'combined', parsed: 2 });
    expect(detectFormat([VHOST, VHOST])).toMatchObject({ name: 'vhost_combined', parsed: 2 });
    expect(detectFormat([XFER, '', XFER])).toMatchObject({ name: 'xferlog', parsed: 2 });
  });

  it('breaks ties in the documented order (combined before nginx_combined)', () => {
    // Every combined line with '-' as ident is also an nginx_combined line.
    const r = detectFormat([COMBINED]);
    expect(r?.name).toBe('combined');
    expect(r?.parser.format).toBe('combined');
  });

  it('needs at least half of the non-empty lines', () => {
    expect(detectFormat([COMBINED, 'junk', 'junk'])).toBeNull();
    expect(detectFormat([COMBINED, 'junk', '', '  '])?.name).toBe('combined');
    expect(detectFormat([])).toBeNull();
    expect(detectFormat(['', ' ', '\r'])).toBeNull();
  });

  it('returns a parser that is ready to use', () => {
    const r = detectFormat([VHOST]);
    expect(r && ok(r.parser, VHOST).vhost).toBe('www.example.com');
  });

  it('detects the fixture logs', () => {
    expect(detectFormat(fixtureLines('tricky/tricky_lines.log'))?.name).toBe('combined');
    expect(detectFormat(fixtureLines('edge-cases/apache_access_darwin-2.4.23.log'))?.name).toBe('common');
    expect(detectFormat(fixtureLines('edge-cases/nginx_access_access.log'))?.name).toBe('combined');
    expect(detectFormat(fixtureLines('edge-cases/apache_access_test-vhost.log'))?.name).toBe('vhost_combined');
    expect(detectFormat(fixtureLines('edge-cases/apache_access_ssl-request.log'))).toBeNull();
  });
});

// Matomo's samples are GPL-3.0: read in place from ../shared, never copied into the repo.
const GPL = join(SHARED_LOGS, 'formats-gpl3');
const gplLines = (name: string): string[] => readFileSync(join(GPL, name), 'latin1').split('\n').filter((l) => l !== '');

describe.skipIf(!existsSync(GPL))('detectFormat on the Matomo format samples (../shared)', () => {
  it('common.log is common', () => {
    expect(detectFormat(gplLines('common.log'))).toMatchObject({ name: 'common', parsed: 1 });
  });

  it('ncsa_extended.log is combined, common_complete.log (vhost, no port) is vhost_combined', () => {
    expect(detectFormat(gplLines('ncsa_extended.log'))?.name).toBe('combined');
    expect(detectFormat(gplLines('common_complete.log'))?.name).toBe('vhost_combined');
  });

  it('common_vhost.log (%v %h … without referer and UA) fits no preset, but a custom template', () => {
    const lines = gplLines('common_vhost.log');
    expect(detectFormat(lines)).toBeNull();
    const p = compileApacheFormat('%v %h %l %u %t "%r" %>s %b');
    expect(ok(p, lines[0]!)).toMatchObject({ vhost: 'www.example.com', ip: '1.2.3.4', user: 'theuser', time: utc(2012, 2, 10, 21, 42, 7), status: 301, bytes: 368 });
  });

  it('rejects IIS, JSON and other non-CLF formats', () => {
    for (const f of ['iis.log', 'nginx_json.log', 'caddy_json.log', 'traefik_json.log', 'incapsula_w3c.log', 'amazon_cloudfront_web.log', 'elb.log', 's3.log']) {
      expect(detectFormat(gplLines(f)), f).toBeNull();
    }
  });
});

describe.skipIf(!existsSync(join(SHARED_LOGS, 'elastic_apache_logs.log')))('detectFormat on real logs (../shared)', () => {
  it('the elastic and nielsbasjes samples are combined, and nearly every line parses', () => {
    for (const f of ['elastic_apache_logs.log', 'nielsbasjes_hackers-access.log']) {
      const lines = readFileSync(join(SHARED_LOGS, f), 'latin1').split('\n').filter((l) => l !== '');
      const r = detectFormat(lines.slice(0, 200));
      expect(r?.name, f).toBe('combined');
      let parsed = 0;
      const out = { ...ok(r!.parser, lines[0]!) };
      for (const l of lines) if (r!.parser.parse(l, out) === null) parsed++;
      expect(parsed / lines.length, f).toBeGreaterThan(0.99);
    }
  });
});
