/**
 * The visit rule in SQL: a visitor-day's intervals (from any number of batches, workers and
 * writers) join when the gap between them is at most the visit timeout, exactly as
 * aggregate/visit-merge.ts joins them: entry page = the earliest page view (ties: the smaller key
 * in byte order), exit page = the latest (ties: the larger key), bounce = one page view,
 * duration = last − first.
 *
 * Without window functions or lambdas that capture columns (18.16 has neither), per visitor-day:
 * the intervals sorted by first hit, and a sweep over their open (first) and close (last +
 * timeout) events sorted by position, opens before closes at one position: the running sum of
 * +1/−1 is the number of intervals covering a point, and an interval whose open finds it at zero
 * starts a new visit. The running count of those starts numbers the visits; ARRAY JOIN and GROUP BY
 * then fold each visit's intervals. O(n log n) per visitor-day, all on the server.
 */
import type { Deployment } from './deployment.js';
import type { Ledger } from './ledger.js';
import { sql, u64, type Sql } from './sql.js';

/**
 * One row per visit of the committed intervals `where` selects: site, day, gen, visitor, pages,
 * vf/vl (first/last hit), en/ex ((time, page) of the entry and exit page view; meaningless
 * without pages), atts (the attempts the visitor's intervals came from). Intervals a closed row
 * summarises are gone before that row counts (retention.ts), so nothing is excluded here.
 */
export function visitRows(dep: Deployment, ledger: Ledger, where: Sql, timeoutSec: number): Sql {
  const T = u64(timeoutSec);
  return sql`SELECT site, day, gen, visitor, any(atts) AS atts, sum(tupleElement(iv, 3)) AS pages,
      min(tupleElement(iv, 1)) AS vf, max(tupleElement(iv, 2)) AS vl,
      minIf(tuple(tupleElement(iv, 4), tupleElement(iv, 5)), tupleElement(iv, 3) > 0) AS en,
      maxIf(tuple(tupleElement(iv, 6), tupleElement(iv, 7)), tupleElement(iv, 3) > 0) AS ex
    FROM (
      SELECT site, day, gen, visitor, atts, A,
        arrayMap(t -> toUInt64(tupleElement(t, 1)), A) AS F,
        arrayMap(t -> toUInt64(tupleElement(t, 2)) + ${T}, A) AS R,
        arrayConcat(arrayMap(x -> toUInt8(0), F), arrayMap(x -> toUInt8(1), R)) AS K,
        arraySort((d, p, k) -> (p, k), arrayConcat(arrayMap(x -> toInt64(1), F), arrayMap(x -> toInt64(-1), R)), arrayConcat(F, R), K) AS SD,
        arraySort((k, p) -> (p, k), K, arrayConcat(F, R)) AS SK,
        arrayCumSum(arrayFilter((b, k) -> k = 0, arrayMap((c, d) -> c = d, arrayCumSum(SD), SD), SK)) AS V
      FROM (
        SELECT site, day, gen, visitor, groupUniqArray(attempt) AS atts,
          arraySort(groupArray(tuple(first, last, pages, entry_time, entry, exit_time, exit))) AS A
        FROM ${dep.t('visit')}
        WHERE ${where} AND ${ledger.committed()}
        GROUP BY site, day, gen, visitor
      )
    ) ARRAY JOIN A AS iv, V AS vid
    GROUP BY site, day, gen, visitor, vid`;
}
