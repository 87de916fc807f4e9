import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { CH_SCHEMA_VERSION } from '../../../src/store/clickhouse/migrations.js';
import { day, runStoreContract } from '../../contract/store.contract.js';
import { CH_URL, freshUrl, requireServer } from './helpers.js';

requireServer('store contract', CH_URL !== '');

if (CH_URL !== '') {
  runStoreContract('clickhouse', () => openStore(freshUrl(), { visitTimeoutSec: 1800 }));

  describe.skipIf(CH_URL === '')('clickhouse store specifics', () => {
    const meta = new Map([['a.example', { ipPolicy: 'masked', userPolicy: 'pseudonym', attribution: ['DB-IP'], rawWindowDays: 0 }]]);

    it('merges visits across batches with the SQLite rule, in commit order', async () => {
      const url = freshUrl();
      const s = await openStore(url, { visitTimeoutSec: 100 });
      const sq = await openStore(`${(await import('node:os')).tmpdir()}/weblog-ch-${Date.now()}-${Math.random()}.db`, { visitTimeoutSec: 100 });
      // Visitor 1: continues (within 100 s), then a new visit; visitor 2: overlapping spans; visitor 3: one batch.
      const batches = [
        new Map([[1, { first: 1000, last: 1050 }], [2, { first: 5000, last: 6000 }]]),
        new Map([[1, { first: 1120, last: 1130 }], [2, { first: 5500, last: 5600 }], [3, { first: 10, last: 10 }]]),
        new Map([[1, { first: 2000, last: 2000 }]]),
      ];
      for (const [i, v] of batches.entries()) {
        for (const st of [s, sq]) {
          await st.commit({ days: [day('a.example', '2024-03-01', { hits: v.size, visits: v.size, visitors: v })], sites: meta, rejected: [], checkpoint: null, raw: [], lines: i });
        }
      }
      const a = (await s.query({ site: 'a.example', from: null, to: null, top: 10 }))!;
      const b = (await sq.query({ site: 'a.example', from: null, to: null, top: 10 }))!;
      // Independent count: visitor 1 has visits [1000-1130] and [2000]; 2 has one; 3 has one.
      expect(a.days[0]).toMatchObject({ visitors: 3, visits: 4 });
      expect(a.days).toEqual(b.days);
      await s.close();
      await sq.close();
    });

    it('skips a batch whose checkpoint is already in the ledger (exactly once)', async () => {
      const s = await openStore(freshUrl(), { visitTimeoutSec: 1800 });
      const cp = { scope: 'site:a.example', fpLength: 10, fpHash: 'h', dev: 1, ino: 2, offset: 50, lines: 3 };
      const b = { days: [day('a.example', '2024-03-01', { hits: 3 })], sites: meta, rejected: [], checkpoint: cp, raw: [], lines: 3 };
      await s.commit(b);
      await s.commit(b);
      const r = (await s.query({ site: 'a.example', from: null, to: null, top: 10 }))!;
      expect(r.days[0]!.hits).toBe(3);
      await s.close();
    });

    it('records its schema version and refuses a newer one', async () => {
      const url = freshUrl();
      await (await openStore(url, { visitTimeoutSec: 1800 })).close();
      const db = new URL(url).pathname.slice(1);
      const http = `http://${new URL(url).host}/`;
      const post = (q: string) => fetch(http, { method: 'POST', body: q }).then((r) => r.text());
      expect(Number((await post(`SELECT max(version) FROM ${db}.schema_migration`)).trim())).toBe(CH_SCHEMA_VERSION);
      await post(`INSERT INTO ${db}.schema_migration (version, name, applied_at) VALUES (${CH_SCHEMA_VERSION + 1}, 'future', now())`);
      await expect(openStore(url, { visitTimeoutSec: 1800 })).rejects.toMatchObject({ code: 'ERR_STORE_SCHEMA_NEWER' });
    });

    it('reports an unreachable server as ERR_STORE_OPEN after retrying', async () => {
      process.env.WEBLOG_CH_RETRY_MS = '10,10';
      try {
        await expect(openStore('clickhouse://default:@127.0.0.1:1/x', { visitTimeoutSec: 1800 })).rejects.toMatchObject({ code: 'ERR_STORE_OPEN' });
      } finally {
        delete process.env.WEBLOG_CH_RETRY_MS;
      }
    });
  });
}
