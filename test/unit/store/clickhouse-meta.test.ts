/** ClickHouse `site_meta` rows fold into the site's policies as data, also rows written before policies were data. */
import { describe, expect, it } from 'vitest';
import { foldMeta } from '../../../src/store/clickhouse/report-query.js';

const row = (ip: string, user: string, raw: number, attribution: string[] = []) => ({ ip_policy: ip, user_policy: user, attribution, raw_window_days: raw });

describe('foldMeta', () => {
  it('reads JSON rows and the sentences of older rows alike, in commit order, each policy once', () => {
    const meta = foldMeta([
      row('IP addresses shortened to /24 (IPv4) and /48 (IPv6)', 'user names replaced by per-site, daily-rotating pseudonyms', 7, ['DB-IP']),
      row('[{"mode":"mask","v4":24,"v6":48}]', '[{"mode":"pseudonym"}]', 7),
      row('[{"mode":"drop","v4":null,"v6":null}]', '[{"mode":"drop"}]', 14, ['DB-IP']),
    ]);
    expect(meta).toEqual({
      ip: [
        { mode: 'mask', v4: 24, v6: 48 },
        { mode: 'drop', v4: null, v6: null },
      ],
      user: [{ mode: 'pseudonym' }, { mode: 'drop' }],
      attribution: ['DB-IP'],
      rawWindowDays: 14,
    });
  });

  it('never turns a value it does not know into a policy', () => {
    expect(foldMeta([row('[{"mode":"mask","v4":99,"v6":48},{"mode":"nonsense"}]', 'masked', 0)])).toMatchObject({ ip: [], user: [] });
    expect(foldMeta([])).toEqual({ ip: [], user: [], attribution: [], rawWindowDays: 0 });
  });
});
