/**
 * The server-clock settle rule, shared by the key ring (one secret per day and window) and the
 * ledger (one batch per source position). ClickHouse has no compare-and-set, so competing writers
 * each insert a candidate row stamped with the server's clock (`created DEFAULT now()`, whole
 * seconds); the earliest (then the smallest tie-breaker) wins. A decision about a group of
 * candidates is final once the server clock reads earliest + settle + 2: a candidate stamped in
 * second S is visible well before S + 2 unless inserts are slower than a second to become visible,
 * which `WEBLOG_CH_SETTLE_S` (default 0) allows for (loaded servers, clock skew between the nodes
 * writers talk to).
 */
export function settleSeconds(): number {
  const v = Number(process.env.WEBLOG_CH_SETTLE_S ?? 0);
  return Number.isFinite(v) && v >= 0 ? Math.ceil(v) : 0;
}

/** Seconds after the earliest candidate from which a group's winner can no longer change. */
export function settledAfter(settle: number): number {
  return settle + 2;
}

/** Milliseconds to wait until `earliest + settle + 2`, by a server clock reading `now`. */
export function waitMs(earliest: number, now: number, settle: number): number {
  return Math.max(0, (earliest + settledAfter(settle) - now) * 1000);
}
