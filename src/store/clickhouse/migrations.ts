/**
 * Versioned schema of the ClickHouse store. Append only: a released migration is never edited.
 * `weblog store migrate` (and every writing open) applies what is missing; each statement is
 * idempotent (IF NOT EXISTS), so two writers migrating at once do no harm.
 *
 * Shape (docs/clickhouse.md has the long version):
 * - Every data row carries the `attempt` that wrote it. A batch counts only once its one-row
 *   `commits` entry exists (written last) and wins its source position (ledger.ts): that is the
 *   atomicity, exactly-once and compare-and-set mechanism, on every server version.
 * - Aggregates are partitioned by month (`toYYYYMM(day)`) and ordered (site, …, day) so a per-site
 *   range report reads one contiguous key range per part. Visit intervals are partitioned by day,
 *   so that closing a day's visits can drop whole partitions.
 * - Distinct counts are exact: visitor ids and top-list keys are stored, not sketches, so any
 *   number of writers merge exactly.
 * - On a cluster each table is `<name>_local` plus a Distributed `<name>` sharded by
 *   cityHash64(site): all rows of a site live on one shard.
 *
 * Versions 1 and 2 are the layout before engine v2 (one row per visitor span, no pages, no
 * entry/exit; a ledger of batch ids). Version 3 is today's. A fresh store gets version 3 only; a
 * store at 1 or 2 is converted by `weblog store migrate` (upgrade.ts).
 */
import type { Features } from './connection.js';

export interface TableSpec {
  readonly name: string;
  readonly columns: string;
  readonly engine: string;
  /** Distributed sharding expression on a cluster; null = a per-node table (never distributed). */
  readonly shardKey: string | null;
}

export interface ChMigration {
  readonly version: number;
  readonly name: string;
  readonly tables: (t: ColumnTypes) => readonly TableSpec[];
}

const mt = (order: string, partition?: string): string =>
  `MergeTree() ${partition ? `PARTITION BY ${partition} ` : ''}ORDER BY ${order} SETTINGS index_granularity = 8192`;

/**
 * Column types by server generation. From 20.1 on (the compact layout): LowCardinality for the
 * few-valued strings (site, key generation, list ids are already UInt8) and codecs on the numeric
 * columns; 18.16 has neither (LowCardinality is experimental there, codecs came in 19.x). Sizes
 * before and after: docs/clickhouse.md, Sizing.
 */
export interface ColumnTypes {
  readonly site: string;
  readonly gen: string;
  readonly key: string;
  /** Entry and exit pages of visit intervals: few distinct per part, repeated on many rows. */
  readonly page: string;
  readonly count: string;
  /** Small counts (page views of an interval). */
  readonly small: string;
  readonly attempt: string;
  readonly time: string;
  readonly visitor: string;
}

export function columnTypes(f: Features): ColumnTypes {
  if (!f.compactSchema) {
    return { site: 'String', gen: 'String', key: 'String', page: 'String', count: 'UInt64', small: 'UInt32', attempt: 'UInt64', time: 'UInt32', visitor: 'UInt64' };
  }
  // Chosen per column on the 10M-line bench store (docs/clickhouse.md, Sizing): e.g. interval
  // times 18.4 → 14.9 MiB with T64 instead of Delta, pages 10.7 → 1.4 MiB with T64, entry and
  // exit pages 15.9 → 8.3 MiB as LowCardinality; keys did worse as LowCardinality.
  return {
    site: 'LowCardinality(String)',
    gen: 'LowCardinality(String)',
    key: 'String CODEC(ZSTD(1))',
    page: 'LowCardinality(String)',
    count: 'UInt64 CODEC(T64, ZSTD(1))',
    small: 'UInt32 CODEC(T64, ZSTD(1))',
    attempt: 'UInt64 CODEC(ZSTD(1))',
    time: 'UInt32 CODEC(T64, ZSTD(1))',
    visitor: 'UInt64 CODEC(ZSTD(1))',
  };
}

export const CH_MIGRATIONS: readonly ChMigration[] = [
  {
    version: 1,
    name: 'aggregates',
    tables: () => [
      {
        name: 'ledger',
        columns: `batch_id String, attempt UInt64, sites Array(String), scope String, fp_len UInt64, fp_hash String,
          dev Float64, ino Float64, offset UInt64, lines UInt64, committed_at DateTime`,
        engine: mt('(batch_id, attempt)'),
        shardKey: 'cityHash64(batch_id)',
      },
      {
        name: 'day_total',
        columns: `site String, day Date, attempt UInt64, hits UInt64, pages UInt64, visits UInt64, bytes UInt64,
          bots UInt64, ftp_transfers UInt64, ftp_bytes UInt64`,
        engine: mt('(site, day, attempt)', 'toYYYYMM(day)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'day_top',
        columns: 'site String, list UInt8, day Date, key String, attempt UInt64, hits UInt64, bytes UInt64',
        engine: mt('(site, list, day, key)', 'toYYYYMM(day)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'day_other',
        columns: 'site String, list UInt8, day Date, attempt UInt64, hits UInt64, bytes UInt64',
        engine: mt('(site, list, day)', 'toYYYYMM(day)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'visitor_span',
        columns: 'site String, day Date, visitor UInt64, attempt UInt64, first UInt32, last UInt32, timeout UInt32',
        engine: mt('(site, day, visitor)', 'toYYYYMM(day)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'rejected',
        columns: 'site String, reason String, attempt UInt64, lines UInt64',
        engine: mt('(site, reason)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'site_meta',
        columns: 'site String, attempt UInt64, ip_policy String, user_policy String, attribution Array(String), raw_window_days UInt32',
        engine: mt('(site, attempt)'),
        shardKey: 'cityHash64(site)',
      },
    ],
  },
  {
    version: 2,
    name: 'retention',
    tables: () => [
      {
        name: 'site_contract',
        // '' = no contract end: argMax skips NULLs, so a cleared end could not win over an older date.
        columns: 'site String, version UInt64, contract_end String',
        engine: mt('(site, version)'),
        shardKey: 'cityHash64(site)',
      },
      {
        // Committed size of each raw-window file (store/raw-spool.ts): the latest committed attempt wins.
        name: 'raw_file',
        columns: 'site String, day String, attempt UInt64, bytes UInt64, lines UInt64',
        engine: mt('(site, day, attempt)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'audit',
        columns: 'id UInt64, at String, action String, site String, day Nullable(String), rows UInt64, detail String',
        engine: mt('id'),
        shardKey: 'cityHash64(site)',
      },
    ],
  },
  {
    version: 3,
    name: 'engine v2: batch parts, visit intervals, source positions',
    tables: (t) => [
      {
        // The commit point of every batch: one row, written after its data rows. `pos` is the
        // source position the batch starts at (fingerprint + offset; a unique id for batches
        // without a source); per position the earliest row by server clock wins (ledger.ts).
        name: 'commits',
        columns: `attempt UInt64, pos String, cp UInt8, fp_len UInt32, fp_hash String, dev Float64, ino Float64,
          from_offset UInt64, offset UInt64, lines UInt64, created DateTime DEFAULT now()`,
        engine: mt('(pos, attempt)'),
        shardKey: 'cityHash64(pos)',
      },
      {
        name: 'site_day',
        columns: `site ${t.site}, day Date, attempt ${t.attempt}, hits ${t.count}, pages ${t.count}, bytes ${t.count},
          bots ${t.count}, ftp_transfers ${t.count}, ftp_bytes ${t.count}`,
        engine: mt('(site, day)', 'toYYYYMM(day)'),
        shardKey: 'cityHash64(site)',
      },
      {
        // One row per key, list, site-day and batch; slowPages carry their time (µs) too.
        name: 'list_row',
        columns: `site ${t.site}, list UInt8, day Date, key ${t.key}, attempt ${t.attempt}, hits ${t.count}, bytes ${t.count},
          time_sum ${t.count}, time_max ${t.count}`,
        engine: mt('(site, list, day, key)', 'toYYYYMM(day)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'list_other',
        columns: `site ${t.site}, list UInt8, day Date, attempt ${t.attempt}, hits ${t.count}, bytes ${t.count}`,
        engine: mt('(site, list, day)', 'toYYYYMM(day)'),
        shardKey: 'cityHash64(site)',
      },
      {
        // Visit intervals of a batch part (aggregate/visit-table.ts), joined at query time.
        name: 'visit',
        columns: `site ${t.site}, day Date, gen ${t.gen}, visitor ${t.visitor}, attempt ${t.attempt}, first ${t.time}, last ${t.time},
          pages ${t.small}, entry ${t.page}, entry_time ${t.time}, exit ${t.page}, exit_time ${t.time}`,
        engine: mt('(site, day, gen, visitor)', 'day'),
        shardKey: 'cityHash64(site)',
      },
      {
        // What closeVisits kept of a (site, day, gen) whose intervals it dropped: the counts and the
        // entry and exit pages (key, visits); `covered` are the attempts whose intervals it
        // summarises (retention.ts). One row, so one INSERT … SELECT writes it consistently.
        name: 'visit_closed',
        columns: `site ${t.site}, day Date, gen ${t.gen}, attempt UInt64, visitors UInt64, visits UInt64, bounces UInt64,
          visit_seconds UInt64, covered Array(UInt64), entries Array(String), entry_n Array(UInt64), exits Array(String), exit_n Array(UInt64)`,
        engine: mt('(site, day, gen)', 'toYYYYMM(day)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'rejected',
        columns: `site ${t.site}, reason String, attempt UInt64, lines UInt64`,
        engine: mt('(site, reason)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'site_meta',
        columns: `site ${t.site}, attempt UInt64, ip_policy String, user_policy String, attribution Array(String), raw_window_days UInt32`,
        engine: mt('(site, attempt)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'site_contract',
        columns: `site ${t.site}, version UInt64, contract_end String`,
        engine: mt('(site, version)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'raw_file',
        columns: `site ${t.site}, day String, attempt UInt64, bytes UInt64, lines UInt64`,
        engine: mt('(site, day, attempt)'),
        shardKey: 'cityHash64(site)',
      },
      {
        name: 'audit',
        columns: 'id UInt64, at String, action String, site String, day Nullable(String), rows UInt64, detail String',
        engine: mt('id'),
        shardKey: 'cityHash64(site)',
      },
    ],
  },
];

export const CH_SCHEMA_VERSION = CH_MIGRATIONS[CH_MIGRATIONS.length - 1]!.version;

/** Tables of versions before 3 that version 3 replaced (upgrade.ts copies and drops them). */
export const REPLACED_TABLES = ['ledger', 'day_total', 'day_top', 'day_other', 'visitor_span'] as const;

/** Per node, never distributed: each node records what it has applied. */
export const MIGRATION_TABLE: TableSpec = {
  name: 'schema_migration',
  columns: 'version UInt32, name String, applied_at DateTime',
  engine: mt('version'),
  shardKey: null,
};

/**
 * The key ring's table (keyring.ts), in its own database, never distributed: candidates for the
 * secret of each (day, raw window); the earliest by server clock wins.
 */
export const KEY_TABLE: TableSpec = {
  name: 'epoch_secret',
  columns: 'day String, window_days UInt16, secret String, created DateTime DEFAULT now()',
  engine: mt('(day, window_days)'),
  shardKey: null,
};

/** The key table of versions before 3 (per site and day); dropped by the key ring on open. */
export const OLD_KEY_TABLE = 'site_day_secret';

export interface DdlContext {
  readonly database: string;
  readonly cluster: string | null;
  /** Add ON CLUSTER (false when DDL is sent to every node instead). */
  readonly onCluster: boolean;
}

/** CREATE statements for one table: plain, or `_local` + Distributed on a cluster. */
export function createTable(t: TableSpec, c: DdlContext): string[] {
  const on = c.cluster && c.onCluster ? ` ON CLUSTER ${c.cluster}` : '';
  if (c.cluster === null || t.shardKey === null) {
    return [`CREATE TABLE IF NOT EXISTS ${c.database}.${t.name}${t.shardKey === null ? '' : on} (${t.columns}) ENGINE = ${t.engine}`];
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${c.database}.${t.name}_local${on} (${t.columns}) ENGINE = ${t.engine}`,
    `CREATE TABLE IF NOT EXISTS ${c.database}.${t.name}${on} AS ${c.database}.${t.name}_local ENGINE = Distributed(${c.cluster}, ${c.database}, ${t.name}_local, ${t.shardKey})`,
  ];
}
