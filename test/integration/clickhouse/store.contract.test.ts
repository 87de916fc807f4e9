import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { CH_SCHEMA_VERSION } from '../../../src/store/clickhouse/migrations.js';
import type { CheckpointMove } from '../../../src/aggregate/index.js';
import { runStoreContract } from '../../contract/store.contract.js';
import { batchOf } from '../../helpers/batch.js';
import { forEachServer, freshUrl, post } from './helpers.js';

describe('clickhouse store without a server', () => {
  it('reports an unreachable server as ERR_STORE_OPEN after retrying', async () => {
    process.env.WEBLOG_CH_RETRY_MS = '10,10';
    try {
      await expect(openStore('clickhouse://default:@127.0.0.1:1/x', { visitTimeoutSec: 1800 })).rejects.toMatchObject({ code: 'ERR_STORE_OPEN' });
    } finally {
      delete process.env.WEBLOG_CH_RETRY_MS;
    }
  });
});

forEachServer('clickhouse store', (server) => {
  runStoreContract(`clickhouse (${server.name})`, () => openStore(freshUrl(server), { visitTimeoutSec: 1800 }));

  describe('clickhouse store specifics', () => {
    it('two writers committing one source position at the same moment: one counts, the other is refused and adds nothing', async () => {
      const url = freshUrl(server);
      const [a, b] = [await openStore(url, { visitTimeoutSec: 1800 }), await openStore(url, { visitTimeoutSec: 1800 })];
      const db = new URL(url).pathname.slice(1);
      let from: CheckpointMove['from'] = null;
      let raced = 0;
      for (let round = 0; round < 4; round++) {
        const cp: CheckpointMove = { fpLength: 64, fpHash: 'race', dev: 1, ino: 2, from, offset: (round + 1) * 1000, lines: (round + 1) * 10 };
        const batch = batchOf([{ site: 'a.example', date: '2024-03-01', hits: 10, list: { urls: { '/': 10 } } }], { checkpoint: cp });
        const results = await Promise.allSettled([a.commit(batch), b.commit(batch)]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['ERR_SOURCE_BUSY']);
        // Both got past the check before either had written: both commit rows exist, the rule picked one.
        const rows = Number((await post(server.http, `SELECT count() FROM ${db}.commits WHERE pos = '64:race:${from?.offset ?? 0}'`)).trim());
        if (rows === 2) raced++;
        from = { fpLength: 64, fpHash: 'race', offset: cp.offset };
      }
      expect(raced).toBeGreaterThan(0);
      const r = (await a.query({ site: 'a.example', from: null, to: null, top: 0 }))!;
      expect(r.days[0]!.hits).toBe(40);
      expect(r.top.urls).toEqual([{ key: '/', hits: 40, bytes: 400 }]);
      expect((await b.checkpoints())[0]).toMatchObject({ offset: 4000, lines: 40 });
      await a.close();
      await b.close();
    }, 120_000);

    it('closing visits drops whole day partitions where nothing else is left, deletes exactly the covered intervals otherwise, and audits per site', async () => {
      const url = freshUrl(server);
      const s = await openStore(url, { visitTimeoutSec: 1800 });
      const db = new URL(url).pathname.slice(1);
      const v = (visitor: number) => [{ visitor, first: 100, last: 400, pages: 2, entry: '/a', exit: '/b' }];
      // a.example has a 7-day raw window (batchOf's META), b.example 0 days: on one day, only b's close at a cutoff of 03-05.
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 2, visits: v(1), list: { urls: { '/a': 1, '/b': 1 } } }]));
      await s.commit(batchOf([{ site: 'b.example', date: '2024-03-01', hits: 2, visits: v(2), list: { urls: { '/a': 1, '/b': 1 } } }]));
      await s.commit(batchOf([{ site: 'b.example', date: '2024-03-02', hits: 2, visits: v(3), list: { urls: { '/a': 1, '/b': 1 } } }]));
      const all = (site: string) => s.query({ site, from: null, to: null, top: 0 });
      const [a0, b0] = [await all('a.example'), await all('b.example')];
      const partitions = async (): Promise<string[]> =>
        (await post(server.http, `SELECT DISTINCT toString(partition) FROM system.parts WHERE database = '${db}' AND table = 'visit' AND active ORDER BY partition FORMAT TSV`))
          .trim()
          .split('\n')
          .filter((x) => x !== '');
      expect(await partitions()).toEqual(['2024-03-01', '2024-03-02']);
      expect(await s.closeVisits((w) => (w === 0 ? '2024-03-05' : '2024-02-01'), new Date('2024-03-05T00:00:00Z'))).toBe(2);
      // 03-02 held only b's intervals: dropped; 03-01 keeps a's, b's were deleted.
      expect(await partitions()).toEqual(['2024-03-01']);
      expect((await post(server.http, `SELECT site FROM ${db}.visit FORMAT TSV`)).trim()).toBe('a.example');
      expect(await all('a.example')).toEqual(a0);
      expect(await all('b.example')).toEqual(b0);
      expect((await s.audit()).map((x) => [x.action, x.site, x.rows])).toEqual([['close-visits', 'b.example', 2]]);
      // Nothing left to close for b; a closes later.
      expect(await s.closeVisits((w) => (w === 0 ? '2024-03-05' : '2024-02-01'), new Date('2024-03-06T00:00:00Z'))).toBe(0);
      expect(await s.closeVisits(() => '2024-03-20', new Date('2024-03-20T00:00:00Z'))).toBe(1);
      expect(await partitions()).toEqual([]);
      expect(await all('a.example')).toEqual(a0);
      await s.close();
    }, 120_000);

    it('a closing that died before its commit row is finished by a later purge', async () => {
      const url = freshUrl(server);
      const s = await openStore(url, { visitTimeoutSec: 1800 });
      const db = new URL(url).pathname.slice(1);
      await s.commit(batchOf([{ site: 'b.example', date: '2024-03-01', hits: 2, visits: [{ visitor: 7, first: 100, last: 900, pages: 1, entry: '/x', exit: '/x' }], list: { urls: { '/x': 2 } } }]));
      const before = await s.query({ site: 'b.example', from: null, to: null, top: 0 });
      expect(await s.closeVisits(() => '2024-03-05', new Date('2024-03-05T00:00:00Z'))).toBe(1);
      // Make it a closing that died 20 minutes ago after deleting its intervals: an old attempt id, no commit row.
      const [closing] = (await post(server.http, `SELECT toString(attempt) FROM ${db}.visit_closed FORMAT TSV`)).trim().split('\n');
      const old = ((BigInt(Date.now() - 20 * 60_000) << 22n) | 1n).toString();
      await post(server.http, `ALTER TABLE ${db}.visit_closed UPDATE attempt = ${old} WHERE attempt = ${closing}`);
      await post(server.http, `ALTER TABLE ${db}.commits DELETE WHERE attempt = ${closing}`);
      for (let i = 0; i < 200 && (await post(server.http, `SELECT count() FROM system.mutations WHERE database = '${db}' AND is_done = 0`)).trim() !== '0'; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const broken = (await s.query({ site: 'b.example', from: null, to: null, top: 0 }))!;
      expect(broken.days[0]!.visits).toBe(0);
      expect(await s.closeVisits(() => '2024-03-05', new Date('2024-03-06T00:00:00Z'))).toBe(0);
      expect(await s.query({ site: 'b.example', from: null, to: null, top: 0 })).toEqual(before);
      await s.close();
    }, 120_000);

    it('records its schema version and refuses a newer one', async () => {
      const url = freshUrl(server);
      await (await openStore(url, { visitTimeoutSec: 1800 })).close();
      const db = new URL(url).pathname.slice(1);
      expect(Number((await post(server.http, `SELECT max(version) FROM ${db}.schema_migration`)).trim())).toBe(CH_SCHEMA_VERSION);
      await post(server.http, `INSERT INTO ${db}.schema_migration (version, name, applied_at) VALUES (${CH_SCHEMA_VERSION + 1}, 'future', now())`);
      await expect(openStore(url, { visitTimeoutSec: 1800 })).rejects.toMatchObject({ code: 'ERR_STORE_SCHEMA_NEWER' });
    });
  });
});
