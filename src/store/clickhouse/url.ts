/**
 * Recognising a ClickHouse location without loading the client: `openStore` decides between
 * SQLite and ClickHouse before anything else, and a SQLite command should not pay for loading
 * @clickhouse/client (~35 ms of a 0.2 s `weblog report`).
 */
export function isClickHouseUrl(location: string): boolean {
  return /^clickhouses?:\/\//i.test(location);
}

/** The location without its password, for messages. */
export function redactUrl(location: string): string {
  return location.replace(/\/\/[^@/]*@/, '//***@');
}
