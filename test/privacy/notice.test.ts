/**
 * The privacy notice says what the effective policy does (issue 13, item 4): it is made from a
 * site's stored policies, raw window, threshold and contract end, so a change to any of them
 * changes it; `/privacy` shows it; docs/privacy.md carries the same sentences (its template
 * section is generated from the code and compared here).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyRingPathFor, openFileKeyRing } from '../../src/anonymise/index.js';
import { serveConfig } from '../../src/cli/serve.js';
import type { IpPolicySpec } from '../../src/core/policy.js';
import { weblogDeletionDay } from '../../src/pipeline/retention.js';
import { NOTICE_TEMPLATES, renderNotice, type NoticeInput, type NoticeTemplates } from '../../src/report/notice.js';
import { LANGS } from '../../src/report/render/index.js';
import { createApp, type App } from '../../src/server/index.js';
import { type AccountStore } from '../../src/store/accounts.js';
import { openAccountStore } from '../../src/store/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { END, EXAMPLE, noticeTemplateSection, PARAMS, START, templateText } from '../../scripts/notice-template.js';
import { REPO, tempStore, weblog } from '../helpers/cli.js';
import { bearer, lastLine, line } from '../server/helpers.js';

const docs = readFileSync(join(REPO, 'docs', 'privacy.md'), 'utf8');

describe('docs/privacy.md carries the notice the code renders', () => {
  it('has the generated template section, byte for byte (run `npx tsx scripts/notice-template.ts` after changing a sentence)', () => {
    const a = docs.indexOf(START);
    const b = docs.indexOf(END);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThan(a);
    expect(docs.slice(a, b + END.length)).toBe(noticeTemplateSection());
  });

  it('names every value of every sentence, in both languages, and both languages have the same sentences', () => {
    expect(Object.keys(NOTICE_TEMPLATES.de).sort()).toEqual(Object.keys(NOTICE_TEMPLATES.en).sort());
    for (const lang of LANGS) {
      const t = NOTICE_TEMPLATES[lang];
      for (const id of Object.keys(t) as (keyof NoticeTemplates)[]) {
        const v = t[id];
        expect([lang, id, typeof v === 'function' ? v.length : 0]).toEqual([lang, id, PARAMS[id]?.length ?? 0]);
        const text = templateText(t, id);
        for (const p of PARAMS[id] ?? []) expect(text).toContain(`{${p}}`);
        expect(text).not.toMatch(/undefined|NaN/);
      }
    }
  });

  it('the untrue sentences are gone: raw lines are kept for the raw window, and it says so', () => {
    expect(docs).not.toMatch(/before anything is stored/);
    expect(docs).not.toMatch(/raw log lines are not kept/i);
    const n = renderNotice(EXAMPLE, 'en').paragraphs.join(' ');
    expect(n).toContain('kept for 7 days');
    expect(n).not.toMatch(/not kept/);
  });
});

const ipArb: fc.Arbitrary<IpPolicySpec> = fc.oneof(
  fc.record({ mode: fc.constant('mask' as const), v4: fc.integer({ min: 0, max: 32 }), v6: fc.integer({ min: 0, max: 128 }) }),
  fc.constantFrom('full', 'pseudonym', 'drop').map((mode) => ({ mode, v4: null, v6: null })),
);
const inputArb: fc.Arbitrary<NoticeInput> = fc
  .record({
    site: fc.option(fc.constantFrom('www.a.example', 'shop.example'), { nil: null }),
    ip: fc.uniqueArray(ipArb, { maxLength: 3, selector: (p) => `${p.mode}/${p.v4}/${p.v6}` }),
    user: fc.uniqueArray(fc.constantFrom('full', 'pseudonym', 'drop').map((mode) => ({ mode })), { maxLength: 3, selector: (p) => p.mode }),
    rawWindowDays: fc.integer({ min: 0, max: 365 }),
    threshold: fc.integer({ min: 1, max: 50 }),
    countries: fc.boolean(),
    contractEnd: fc.option(fc.date({ min: new Date('2020-01-01'), max: new Date('2040-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), { nil: null }),
  })
  .map((r) => ({ ...r, deletionDay: r.contractEnd === null ? null : weblogDeletionDay(r.contractEnd) }));

describe('the notice follows the effective policy', () => {
  it('states every value of the policy, and changes when any of them changes', () => {
    fc.assert(
      fc.property(inputArb, fc.constantFrom(...LANGS), (n, lang) => {
        const text = renderNotice(n, lang).paragraphs.join('\n');
        if (n.rawWindowDays > 0) expect(text).toContain(` ${n.rawWindowDays} `);
        for (const p of n.ip) if (p.mode === 'mask') expect(text).toContain(lang === 'de' ? `${p.v4} Bit (IPv4) und ${p.v6} Bit (IPv6)` : `${p.v4} bits (IPv4) and ${p.v6} bits (IPv6)`);
        if (n.threshold > 1) expect(text).toContain(`${n.threshold}`);
        if (n.contractEnd !== null) {
          expect(text).toContain(n.contractEnd);
          expect(text).toContain(n.deletionDay!);
        }
        const changed = (m: Partial<NoticeInput>): boolean => renderNotice({ ...n, ...m }, lang).paragraphs.join('\n') !== text;
        expect(changed({ rawWindowDays: n.rawWindowDays + 1 })).toBe(true);
        expect(changed({ threshold: n.threshold + 1 })).toBe(true);
        expect(changed({ ip: [...n.ip, { mode: 'mask', v4: 33, v6: 129 }] })).toBe(true);
        expect(changed({ countries: !n.countries })).toBe(true);
        const end = '2041-06-30';
        expect(changed({ contractEnd: end, deletionDay: weblogDeletionDay(end) })).toBe(true);
        // Every paragraph is one of the documented sentences with this policy's values.
        const t = NOTICE_TEMPLATES[lang];
        const sentences = (Object.keys(t) as (keyof NoticeTemplates)[]).map((id) => new RegExp(`^${templateText(t, id).replace(/[.*+?^$()[\]\\|]/g, '\\$&').replace(/\{[a-zA-Z0-9]+\}/g, '[^ ]+')}$`));
        for (const p of renderNotice(n, lang).paragraphs) expect(sentences.some((re) => re.test(p)), p).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('/privacy', () => {
  let store: string;
  let app: App;
  let s: Store;
  let accounts: AccountStore;
  let keys: ReturnType<typeof openFileKeyRing>;
  let token: string;
  const SITE = 'www.notice.example';

  async function ingest(rawWindowDays: number, ip: string, day: number): Promise<void> {
    const dir = dirname(store);
    const log = join(dir, `in-${day}.log`);
    writeFileSync(log, `${line('192.0.2.10', day, `/p${day}.html`)}\n`);
    const pipeline = join(dir, `p-${day}.yaml`);
    writeFileSync(pipeline, `source: { type: file, paths: [${log}] }\nformat: { type: combined }\nrouting: { type: fixed, site: ${SITE} }\nprivacy: { rawWindowDays: ${rawWindowDays}, ${ip} }\n`);
    const r = await weblog(['ingest', '--store', store, '--pipeline', pipeline, '--quiet', '--no-purge', '--now', '2024-03-20']);
    expect(r.code, r.stderr).toBe(0);
  }

  async function page(headers: Record<string, string> = {}, lang = 'en'): Promise<string> {
    const res = await app.fastify.inject({ method: 'GET', url: `/privacy?lang=${lang}`, headers });
    expect(res.statusCode).toBe(200);
    return res.body;
  }

  beforeAll(async () => {
    store = tempStore();
    await weblog(['customer', 'add', 'n', '--store', store]);
    await weblog(['site', 'add', SITE, '--customer', 'n', '--store', store]);
    token = lastLine((await weblog(['token', 'create', '--customer', 'n', '--store', store])).stdout);
    s = await openStore(store, { visitTimeoutSec: 1800 });
    accounts = openAccountStore(store);
    keys = openFileKeyRing(keyRingPathFor(store));
    app = await createApp({ store: s, accounts, keys, ingestConfig: serveConfig({ ip: 'pseudonym', 'no-geo': true }), logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await keys?.close();
    await accounts?.close();
    await s?.close();
  });

  it('without login: the notice for new data, from the server’s own settings', async () => {
    const html = await page();
    expect(html).toContain(NOTICE_TEMPLATES.en.titleNew);
    expect(html).toContain(NOTICE_TEMPLATES.en.ipPseudonym);
    expect(html).toContain('kept for 7 days');
    expect(html).not.toContain(NOTICE_TEMPLATES.en.countries.slice(0, 40));
  });

  it('for a customer: the notice of each site, from its stored policy; it changes with the raw window, the prefixes and the contract end', async () => {
    await ingest(14, 'ip: mask, ipv4Prefix: 16, ipv6Prefix: 40', 1);
    let html = await page(bearer(token));
    expect(html).toContain(`Privacy notice for the web statistics of ${SITE}`);
    expect(html).toContain('kept for 14 days');
    expect(html).toContain('first 16 bits (IPv4) and 40 bits (IPv6)');
    expect(html).toContain('after 14 days');
    expect(html).toContain(NOTICE_TEMPLATES.en.retentionOpen);
    // The same page in German says the same.
    const de = await page(bearer(token), 'de');
    expect(de).toContain('14 Tage aufbewahrt');
    expect(de).toContain('ersten 16 Bit (IPv4) und 40 Bit (IPv6)');

    await ingest(3, 'ip: drop', 2);
    await s.setContractEnd(SITE, '2024-12-15');
    html = await page(bearer(token));
    expect(html).toContain('kept for 3 days');
    expect(html).not.toContain('kept for 14 days');
    // Both policies of the stored data are stated.
    expect(html).toContain('first 16 bits (IPv4) and 40 bits (IPv6)');
    expect(html).toContain(NOTICE_TEMPLATES.en.ipDrop);
    expect(html).toContain(NOTICE_TEMPLATES.en.ipChanged);
    expect(html).toContain(`The contract ends on 2024-12-15. The statistics are deleted on ${weblogDeletionDay('2024-12-15')}`);
    expect(weblogDeletionDay('2024-12-15')).toBe('2025-01-15');
    // What the API reports as the data's policy is what the notice was made from.
    const api = await app.fastify.inject({ method: 'GET', url: `/api/sites/${SITE}/report`, headers: bearer(token) });
    const meta = (JSON.parse(api.body) as { meta: { privacy: { ip: IpPolicySpec[]; rawWindowDays: number; threshold: number } } }).meta.privacy;
    expect(meta.rawWindowDays).toBe(3);
    expect(meta.ip).toEqual([
      { mode: 'mask', v4: 16, v6: 40 },
      { mode: 'drop', v4: null, v6: null },
    ]);
    expect(html).toContain(`seen fewer than ${meta.threshold} times`);
  });
});
