/**
 * Versioned schema of the ClickHouse store. Append only: a released migration is never edited.
 * `weblog store migrate` (and every writing open) applies what is missing; each statement is
 * idempotent (IF NOT EXISTS), so two writers migrating at once do no harm.
 *
 * Shape (docs/clickhouse.md has the long version):
 * - Every data row carries the `attempt` that wrote it. A batch counts only when its one-row
 *   `ledger` entry exists (written last), and only the lowest committed attempt per batch id counts:
 *   that is the atomicity and exactly-once mechanism, on every server version.
 * - Aggregates are partitioned by month (`toYYYYMM(day)`) and ordered (site, …, day) so a per-site
 *   range report reads one contiguous key range per part.
 * - Distinct counts are exact: visitor ids and top-list keys are stored, not sketches
 *   (uniqExact/GROUP BY over them at query time), so any number of writers merge exactly.
 * - On a cluster each table is `<name>_local` plus a Distributed `<name>` sharded by
 *   cityHash64(site): all rows of a site live on one shard.
 */

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
  readonly tables: readonly TableSpec[];
}

const mt = (order: string, partition?: string): string =>
  `MergeTree() ${partition ? `PARTITION BY ${partition} ` : ''}ORDER BY ${order} SETTINGS index_granularity = 8192`;

export const CH_MIGRATIONS: readonly ChMigration[] = [
  {
    version: 1,
    name: 'aggregates',
    tables: [
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
    tables: [
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
];

export const CH_SCHEMA_VERSION = CH_MIGRATIONS[CH_MIGRATIONS.length - 1]!.version;

/** Per node, never distributed: each node records what it has applied. */
export const MIGRATION_TABLE: TableSpec = {
  name: 'schema_migration',
  columns: 'version UInt32, name String, applied_at DateTime',
  engine: mt('version'),
  shardKey: null,
};

/** The key database (`<db>_keys`), never distributed: keys stay on the node named in the URL. */
export const KEY_TABLES: readonly TableSpec[] = [
  // Candidates per site and day; keyring.ts picks one winner deterministically (server clock `created`).
  { name: 'site_day_secret', columns: 'site String, day String, secret String, created DateTime DEFAULT now()', engine: mt('(site, day)'), shardKey: null },
];

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
