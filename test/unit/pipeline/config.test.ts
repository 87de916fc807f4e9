import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors.js';
import {
  DEFAULT_PIPELINE,
  listPipelineIssues,
  loadPipelineFile,
  readPipelineFile,
  validatePipeline,
} from '../../../src/pipeline/config.js';
import { pipelineConfigSchema } from '../../../src/pipeline/config-schema.js';
import { PRESETS } from '../../../src/parse/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const PIPELINES = join(ROOT, 'pipelines');
const tmp = mkdtempSync(join(tmpdir(), 'weblog-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeTmp(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

function errorOf(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

/**
 * A small valid pipeline; each bad case below changes one thing in it. Typed loosely on purpose:
 * the cases write values of the wrong type, which is what is being tested.
 */
function base(): Record<string, any> {
  return {
    source: { type: 'file', paths: ['/var/log/a.log'] },
    format: { type: 'vhost_combined' },
    routing: { type: 'vhost' },
    sites: { 'www.example.com': { hosts: ['example.com'] } },
  };
}

describe('pipelines/ examples', () => {
  const files = readdirSync(PIPELINES).filter((f) => /\.(ya?ml|json)$/.test(f));

  it('ships the five documented examples', () => {
    for (const f of ['shared-apache-vhosts.yaml', 'nginx-per-site.yaml', 'piped-stdin.yaml', 'ftp-xferlog.yaml', 'demo.yaml']) {
      expect(files).toContain(f);
    }
  });

  it.each(files)('%s validates, and validating the result again changes nothing', (f) => {
    const c = loadPipelineFile(join(PIPELINES, f));
    expect(validatePipeline(structuredClone(c), f)).toEqual(c);
  });

  it('each example is the case it claims to be', () => {
    const demo = loadPipelineFile(join(PIPELINES, 'demo.yaml'));
    expect(demo.routing).toMatchObject({ type: 'fixed', site: 'www.example.com' });
    // Relative to the pipeline file, not to the working directory.
    expect(demo.source.paths).toEqual([join(ROOT, 'fixtures/sample-access.log')]);

    const shared = loadPipelineFile(join(PIPELINES, 'shared-apache-vhosts.yaml'));
    expect(shared.format.type).toBe('vhost_combined');
    expect(shared.routing.type).toBe('vhost');
    expect(Object.keys(shared.sites).length).toBeGreaterThanOrEqual(2);

    const nginx = loadPipelineFile(join(PIPELINES, 'nginx-per-site.yaml'));
    expect(nginx.routing.type).toBe('file');
    expect(Object.keys(nginx.routing.files).length).toBeGreaterThan(0);

    const piped = loadPipelineFile(join(PIPELINES, 'piped-stdin.yaml'));
    expect(piped.source).toEqual({ type: 'stdin', paths: [], follow: false });
    expect(piped.routing.type).toBe('fixed');

    const ftp = loadPipelineFile(join(PIPELINES, 'ftp-xferlog.yaml'));
    expect(ftp.format.type).toBe('xferlog');
    expect(ftp.routing.type).toBe('file');
  });

  it('comments every field line of every example', () => {
    for (const f of files) {
      const lines = readFileSync(join(PIPELINES, f), 'utf8').split('\n');
      lines.forEach((l, i) => {
        // A line that sets a scalar (key: value) must explain itself; list items and section keys may not.
        if (/^\s*[A-Za-z0-9_./-]+:\s*\S/.test(l) && !l.includes('#')) {
          const prev = lines[i - 1] ?? '';
          expect(prev.trim().startsWith('#') || /^\s+-/.test(l), `${f}:${i + 1}: ${l}`).toBe(true);
        }
      });
    }
  });
});

describe('defaults', () => {
  it('fills every omitted field with the documented default', () => {
    const c = validatePipeline({ source: { type: 'stdin' }, routing: { type: 'fixed', site: 'a.example' } }, 'pipelines/min.yaml');
    expect(c.name).toBe('min');
    expect(c.source).toEqual({ type: 'stdin', paths: [], follow: false });
    expect(c.format).toEqual({ type: 'auto', logFormat: null });
    expect(c.routing).toEqual({ type: 'fixed', site: 'a.example', files: {}, unknown: 'reject' });
    expect(c.sites).toEqual({});
    expect(c.enrich).toEqual({
      ua: true,
      geo: true,
      geoDatabase: null,
      referrers: true,
      trustedProxies: [],
      pageExtensions: ['html', 'htm', 'php', 'asp', 'aspx', 'jsp', 'cgi', 'shtml'],
    });
    expect(c.metrics).toEqual({ count4xxVisitors: false, ignoreCrawlers: false, visitTimeoutMinutes: 30, topKeysPerDay: 100_000 });
    expect(c.privacy).toEqual({ ip: 'mask', ipv4Prefix: 24, ipv6Prefix: 48, user: 'pseudonym', query: 'drop', queryAllow: [], rawWindowDays: 7 });
    expect(c.store).toEqual({ path: null });
  });

  it('merges site privacy over the global privacy, and a site is its own host', () => {
    const c = validatePipeline(
      {
        ...base(),
        privacy: { ip: 'pseudonym', ipv4Prefix: 16 },
        sites: { 'a.example': { hosts: ['b.example'], privacy: { user: 'drop' } }, 'c.example': {} },
      },
      'x.yaml',
    );
    expect(c.sites['a.example']?.privacy).toEqual({ ip: 'pseudonym', ipv4Prefix: 16, ipv6Prefix: 48, user: 'drop', query: 'drop', queryAllow: [], rawWindowDays: 7 });
    expect(c.sites['a.example']?.hosts).toEqual(['a.example', 'b.example']);
    expect(c.sites['c.example']).toEqual({ hosts: ['c.example'], contractEnd: null, privacy: c.privacy });
  });

  it('lower-cases site names and hosts (host names are case-insensitive)', () => {
    const fixed = validatePipeline({ source: { type: 'stdin' }, routing: { type: 'fixed', site: 'WWW.Example.com' } }, 'x.yaml');
    expect(fixed.routing.site).toBe('www.example.com');
    const vhost = validatePipeline({ ...base(), sites: { 'Shop.Example': { hosts: ['SHOP.example', 'Store.Example'] } } }, 'x.yaml');
    expect(vhost.sites).toHaveProperty('shop.example');
    expect(vhost.sites['shop.example']?.hosts).toEqual(['shop.example', 'store.example']);
    const file = validatePipeline({ ...base(), routing: { type: 'file', files: { 'A.log': 'A.Example' } } }, 'x.yaml');
    expect(file.routing.files).toEqual({ 'A.log': 'a.example' });
  });

  it('does not share arrays with DEFAULT_PIPELINE, which is frozen', () => {
    const c = validatePipeline(base(), 'x.yaml');
    c.enrich.pageExtensions.push('xyz');
    expect(DEFAULT_PIPELINE.enrich.pageExtensions).not.toContain('xyz');
    expect(Object.isFrozen(DEFAULT_PIPELINE.privacy)).toBe(true);
    expect(() => (DEFAULT_PIPELINE.enrich.pageExtensions as string[]).push('x')).toThrow(TypeError);
  });

  it('resolves relative paths against baseDir only, and leaves URLs alone', () => {
    const obj = {
      ...base(),
      source: { type: 'file', paths: ['logs/a.log', '/abs/b.log'] },
      enrich: { geoDatabase: 'db/country.mmdb' },
      store: { path: 'clickhouse://db:9000/weblog' },
    };
    const c = validatePipeline(obj, 'x.yaml', { baseDir: '/etc/weblog' });
    expect(c.source.paths).toEqual(['/etc/weblog/logs/a.log', '/abs/b.log']);
    expect(c.enrich.geoDatabase).toBe('/etc/weblog/db/country.mmdb');
    expect(c.store.path).toBe('clickhouse://db:9000/weblog');
    expect(validatePipeline(obj, 'x.yaml').source.paths).toEqual(['logs/a.log', '/abs/b.log']);
  });

  it('treats an empty YAML value of an optional field as unset', () => {
    const p = writeTmp('nulls.yaml', 'source: {type: stdin}\nformat:\n  type: auto\n  logFormat:\nrouting: {type: fixed, site: a.example}\nstore:\n  path:\n');
    const c = loadPipelineFile(p);
    expect(c.format.logFormat).toBeNull();
    expect(c.store.path).toBeNull();
  });
});

describe('each bad field is named', () => {
  // [what is wrong, change to the valid base, field path the message must name, words it must contain]
  const cases: [string, (c: Record<string, any>) => void, string, string][] = [
    ['unknown top-level field', (c) => (c['sourc'] = {}), 'sourc', 'unknown field (did you mean "source"?)'],
    ['unknown nested field', (c) => (c['privacy'] = { ipv4prefix: 24 }), 'privacy.ipv4prefix', 'did you mean "ipv4Prefix"'],
    ['missing source', (c) => delete c['source'], 'source', 'required'],
    ['missing source.type', (c) => delete c['source'].type, 'source.type', 'required'],
    ['bad source.type', (c) => (c['source'].type = 'http'), 'source.type', 'must be one of file, stdin (got "http")'],
    ['paths not a list', (c) => (c['source'].paths = '/var/log/a.log'), 'source.paths', 'must be a list'],
    ['empty path', (c) => (c['source'].paths = ['']), 'source.paths[0]', 'must not be empty'],
    ['follow as yes', (c) => (c['source'].follow = 'yes'), 'source.follow', 'must be true or false (got "yes")'],
    ['stdin with paths', (c) => (c['source'] = { type: 'stdin', paths: ['a'] }), 'source.paths', 'not allowed when source.type is stdin'],
    ['stdin with follow', (c) => (c['source'] = { type: 'stdin', follow: true }), 'source.follow', 'only for source.type file'],
    ['bad format', (c) => (c['format'].type = 'iis'), 'format.type', 'must be one of combined, common, vhost_combined'],
    ['apache without logFormat', (c) => (c['format'] = { type: 'apache' }), 'format.logFormat', 'required when format.type is apache'],
    ['nginx without logFormat', (c) => (c['format'] = { type: 'nginx' }), 'format.logFormat', 'required when format.type is nginx'],
    ['logFormat with a preset', (c) => (c['format'].logFormat = '%h'), 'format.logFormat', 'only used when format.type is apache or nginx'],
    ['fixed without site', (c) => (c['routing'] = { type: 'fixed' }), 'routing.site', 'required when routing.type is fixed'],
    ['site with vhost routing', (c) => (c['routing'].site = 'a.example'), 'routing.site', 'only used when routing.type is fixed'],
    ['site with a space', (c) => (c['routing'] = { type: 'fixed', site: 'www example.com' }), 'routing.site', 'must be a host name'],
    ['two sites differing in case', (c) => (c['sites']['WWW.example.com'] = {}), 'sites["WWW.example.com"]', 'same site as www.example.com'],
    ['host of two sites in different case', (c) => (c['sites']['other.example'] = { hosts: ['Example.COM'] }), 'sites["other.example"].hosts[0]', 'already belongs to site www.example.com'],
    ['vhost routing on combined', (c) => (c['format'].type = 'combined'), 'routing.type', 'format.type is combined'],
    ['vhost routing on xferlog', (c) => (c['format'].type = 'xferlog'), 'routing.type', 'vhost routing needs a format'],
    ['vhost reject with no sites', (c) => delete c['sites'], 'sites', 'would reject every line'],
    ['accept with fixed routing', (c) => (c['routing'] = { type: 'fixed', site: 'a.example', unknown: 'accept' }), 'routing.unknown', 'only possible when routing.type is vhost'],
    ['file routing without files', (c) => (c['routing'] = { type: 'file' }), 'routing.files', 'required'],
    ['file routing on stdin', (c) => ((c['routing'] = { type: 'file', files: { 'a.log': 'a.example' } }), (c['source'] = { type: 'stdin' })), 'routing.type', 'needs source.type file'],
    ['files with vhost routing', (c) => (c['routing'].files = { 'a.log': 'a.example' }), 'routing.files', 'only used when routing.type is file'],
    ['bad site in files', (c) => (c['routing'] = { type: 'file', files: { 'a.log': 'Not A Host' } }), 'routing.files["a.log"]', 'must be a host name'],
    ['bad site name key', (c) => (c['sites']['Bad_Site!'] = {}), 'sites["Bad_Site!"]', 'invalid name'],
    ['unknown site field', (c) => (c['sites']['www.example.com'].alias = []), 'sites["www.example.com"].alias', 'unknown field'],
    ['bad host', (c) => (c['sites']['www.example.com'].hosts = ['ok.example', 'bad host']), 'sites["www.example.com"].hosts[1]', 'must be a host name'],
    ['host of two sites', (c) => (c['sites']['other.example'] = { hosts: ['example.com'] }), 'sites["other.example"].hosts[0]', 'already belongs to site www.example.com'],
    ['bad date', (c) => (c['sites']['www.example.com'].contractEnd = '31.12.2027'), 'sites["www.example.com"].contractEnd', 'must be a date YYYY-MM-DD'],
    ['impossible date', (c) => (c['sites']['www.example.com'].contractEnd = '2027-02-30'), 'sites["www.example.com"].contractEnd', 'not a calendar date'],
    ['bad site privacy', (c) => (c['sites']['www.example.com'].privacy = { ip: 'hash' }), 'sites["www.example.com"].privacy.ip', 'must be one of full, mask, pseudonym, drop (got "hash")'],
    ['bad privacy.ip', (c) => (c['privacy'] = { ip: 'hash' }), 'privacy.ip', 'must be one of full, mask, pseudonym, drop (got "hash")'],
    ['ipv4 prefix too large', (c) => (c['privacy'] = { ipv4Prefix: 33 }), 'privacy.ipv4Prefix', 'must be from 0 to 32 (got 33)'],
    ['ipv6 prefix negative', (c) => (c['privacy'] = { ipv6Prefix: -1 }), 'privacy.ipv6Prefix', 'must be from 0 to 128 (got -1)'],
    ['prefix not whole', (c) => (c['privacy'] = { ipv4Prefix: 24.5 }), 'privacy.ipv4Prefix', 'must be a whole number'],
    ['bad user policy', (c) => (c['privacy'] = { user: 'mask' }), 'privacy.user', 'must be one of full, pseudonym, drop'],
    ['bad query policy', (c) => (c['privacy'] = { query: 'strip' }), 'privacy.query', 'must be one of drop, keep'],
    ['raw window too long', (c) => (c['privacy'] = { rawWindowDays: 400 }), 'privacy.rawWindowDays', 'must be from 0 to 365'],
    ['bad proxy', (c) => (c['enrich'] = { trustedProxies: ['10.0.0.0/8', '10.0.0.0/33'] }), 'enrich.trustedProxies[1]', 'IP address or CIDR'],
    ['proxy host name', (c) => (c['enrich'] = { trustedProxies: ['proxy.local'] }), 'enrich.trustedProxies[0]', 'IP address or CIDR'],
    ['extension with dot', (c) => (c['enrich'] = { pageExtensions: ['.html'] }), 'enrich.pageExtensions[0]', 'without the dot'],
    ['geo as string', (c) => (c['enrich'] = { geo: 'no' }), 'enrich.geo', 'must be true or false'],
    ['visit timeout zero', (c) => (c['metrics'] = { visitTimeoutMinutes: 0 }), 'metrics.visitTimeoutMinutes', 'must be from 1 to 1440'],
    ['top keys as string', (c) => (c['metrics'] = { topKeysPerDay: '100k' }), 'metrics.topKeysPerDay', 'must be a whole number'],
    ['unknown metrics field', (c) => (c['metrics'] = { count4xx: true }), 'metrics.count4xx', 'unknown field'],
    ['store path empty', (c) => (c['store'] = { path: '' }), 'store.path', 'must not be empty'],
    ['section not a mapping', (c) => (c['enrich'] = true), 'enrich', 'must be a mapping'],
  ];

  it.each(cases)('%s', (_what, change, path, words) => {
    const obj = base();
    expect(listPipelineIssues(obj)).toEqual([]);
    change(obj);
    const err = errorOf(() => validatePipeline(obj, 'pipelines/x.yaml'));
    expect(err.code).toBe('ERR_CONFIG_INVALID');
    const line = err.message.split('\n').find((l) => l.startsWith(`pipelines/x.yaml: ${path}: `));
    expect(line, err.message).toBeDefined();
    expect(line).toContain(words);
  });

  it('takes every parse preset as format.type, and caddy for vhost routing (one list of presets)', () => {
    for (const p of PRESETS) {
      const c = { ...base(), format: { type: p }, routing: { type: 'fixed', site: 'a.example' } };
      expect(validatePipeline(c, 'p.yaml').format.type).toBe(p);
    }
    expect(validatePipeline({ ...base(), format: { type: 'caddy' } }, 'p.yaml').routing.type).toBe('vhost');
    expect(errorOf(() => validatePipeline({ ...base(), format: { type: 'iis' } }, 'p.yaml')).message).toContain(`must be one of ${[...PRESETS, 'auto', 'apache', 'nginx'].join(', ')}`);
  });

  it('reports every problem, one per line', () => {
    const obj = { ...base(), privacy: { ip: 'hash', ipv4Prefix: 99 }, metrics: { nope: 1 } };
    const lines = errorOf(() => validatePipeline(obj, 'p.yaml')).message.split('\n');
    expect(lines.map((l) => l.split(': ')[1]).sort()).toEqual(['metrics.nope', 'privacy.ip', 'privacy.ipv4Prefix']);
  });

  it('rejects a document that is not a mapping', () => {
    for (const doc of [null, [], 'source: file', 42]) {
      expect(errorOf(() => validatePipeline(doc, 'p.yaml')).message).toMatch(/^p\.yaml: \(top level\): must be a mapping/);
    }
  });

  it('accepts every prefix in range and names the field for any outside (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), (v4, v6) => {
        const issues = listPipelineIssues({ ...base(), privacy: { ipv4Prefix: v4, ipv6Prefix: v6 } });
        const paths = issues.map((i) => i.path).sort();
        const expected = [...(v4 < 0 || v4 > 32 ? ['privacy.ipv4Prefix'] : []), ...(v6 < 0 || v6 > 128 ? ['privacy.ipv6Prefix'] : [])];
        expect(paths).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('reading files', () => {
  it('reports YAML syntax errors with the line', () => {
    const p = writeTmp('broken.yaml', 'source:\n  type: file\n  paths: [a.log\nformat: {type: auto}\n');
    const err = errorOf(() => loadPipelineFile(p));
    expect(err.code).toBe('ERR_CONFIG_READ');
    expect(err.message).toContain(p);
    expect(err.message).toMatch(/line [34], column \d+/);
  });

  it('reports duplicate keys', () => {
    const p = writeTmp('dup.yaml', 'source: {type: stdin}\nrouting: {type: fixed, site: a.example}\nprivacy:\n  ip: mask\n  ip: full\n');
    const err = errorOf(() => loadPipelineFile(p));
    expect(err.code).toBe('ERR_CONFIG_READ');
    expect(err.message).toMatch(/line 5/);
  });

  it('reads JSON, and reports JSON syntax errors with the line', () => {
    const ok = writeTmp('ok.json', JSON.stringify({ source: { type: 'stdin' }, routing: { type: 'fixed', site: 'a.example' } }));
    expect(loadPipelineFile(ok).routing.site).toBe('a.example');
    const bad = writeTmp('bad.json', '{\n  "source": {"type": "stdin"},\n  "routing": {"type": "fixed",, "site": "a"}\n}\n');
    const err = errorOf(() => loadPipelineFile(bad));
    expect(err.code).toBe('ERR_CONFIG_READ');
    expect(err.message).toMatch(/line 3/);
  });

  it('names the file and field for invalid content', () => {
    const p = writeTmp('x.yaml', 'source: {type: stdin}\nrouting: {type: fixed, site: a.example}\nprivacy: {ip: hash}\n');
    const err = errorOf(() => loadPipelineFile(p));
    expect(err.code).toBe('ERR_CONFIG_INVALID');
    expect(err.message).toBe(`${p}: privacy.ip: must be one of full, mask, pseudonym, drop (got "hash")`);
  });

  it('fails cleanly for a missing file, a directory and an oversized file', () => {
    expect(errorOf(() => loadPipelineFile(join(tmp, 'none.yaml'))).message).toContain('no such file');
    expect(errorOf(() => loadPipelineFile(tmp)).code).toBe('ERR_CONFIG_READ');
    const big = writeTmp('big.yaml', `# ${'x'.repeat(1024 * 1024 + 10)}\n`);
    expect(errorOf(() => loadPipelineFile(big)).message).toContain('at most 1 MiB');
  });

  it('caps YAML alias expansion', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const p = writeTmp('bomb.yaml', `${lines.join('\n')}\n`);
    expect(errorOf(() => readPipelineFile(p)).code).toBe('ERR_CONFIG_READ');
  });
});

/** Every property path of the schema; map keys appear as `<site>` (sites) and stop at `routing.files`. */
function schemaPaths(schema: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  const props = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  for (const [k, sub] of Object.entries(props)) {
    const p = prefix === '' ? k : `${prefix}.${k}`;
    out.push(p);
    out.push(...schemaPaths(sub, p));
    const add = sub['additionalProperties'];
    if (add !== null && typeof add === 'object' && 'properties' in add) out.push(...schemaPaths(add as Record<string, unknown>, `${p}.<site>`));
  }
  return out;
}

describe('docs/configuration.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
  const paths = schemaPaths(pipelineConfigSchema as unknown as Record<string, unknown>);

  it('finds the schema paths (sanity check of the walker)', () => {
    expect(paths).toContain('privacy.ipv6Prefix');
    expect(paths).toContain('sites.<site>.privacy.rawWindowDays');
    expect(paths.length).toBeGreaterThan(35);
  });

  it('documents every schema property in a table row', () => {
    const rows = new Set([...doc.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));
    const missing = paths.filter((p) => !rows.has(p) && !(p.split('.').length === 1 && doc.includes(`## ${p}`)));
    expect(missing).toEqual([]);
  });

  it('documents no field that the schema does not have', () => {
    const documented = [...doc.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? '').filter((p) => !p.includes('.yaml'));
    expect(documented.filter((p) => !paths.includes(p))).toEqual([]);
  });

  it('states the defaults that DEFAULT_PIPELINE has', () => {
    const row = (p: string): string => doc.split('\n').find((l) => l.startsWith(`| \`${p}\` |`)) ?? '';
    const d = DEFAULT_PIPELINE;
    const scalars: [string, unknown][] = [
      ['source.follow', d.source.follow],
      ['format.type', d.format.type],
      ['routing.type', d.routing.type],
      ['routing.unknown', d.routing.unknown],
      ['enrich.ua', d.enrich.ua],
      ['enrich.geo', d.enrich.geo],
      ['enrich.referrers', d.enrich.referrers],
      ['metrics.count4xxVisitors', d.metrics.count4xxVisitors],
      ['metrics.ignoreCrawlers', d.metrics.ignoreCrawlers],
      ['metrics.visitTimeoutMinutes', d.metrics.visitTimeoutMinutes],
      ['metrics.topKeysPerDay', d.metrics.topKeysPerDay],
      ['privacy.ip', d.privacy.ip],
      ['privacy.ipv4Prefix', d.privacy.ipv4Prefix],
      ['privacy.ipv6Prefix', d.privacy.ipv6Prefix],
      ['privacy.user', d.privacy.user],
      ['privacy.query', d.privacy.query],
      ['privacy.rawWindowDays', d.privacy.rawWindowDays],
    ];
    for (const [p, v] of scalars) {
      const defaultCell = row(p).split(' | ')[2] ?? '';
      expect(defaultCell, p).toContain(`\`${String(v)}\``);
    }
    expect(row('enrich.pageExtensions')).toContain(`\`[${d.enrich.pageExtensions.join(', ')}]\``);
  });
});
