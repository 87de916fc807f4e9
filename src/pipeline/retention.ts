/**
 * The retention rules (docs/privacy.md), as one idempotent function of the clock:
 *
 * 1. Raw window: a site's raw file of day D is deleted once D is more than W days before today
 *    (W = the site's raw window). The file is unlinked; the store forgets it with an audit record.
 * 2. Keys: the secret of day D behind every pseudonym and visitor id of sites with window W is
 *    destroyed under the same rule (W = 0: once the day is over). After that no pseudonym of
 *    that day can be linked to an address; the visit intervals of those days are closed too
 *    (their counts stay), since nothing can be joined to them any more.
 * 3. Contract end: a site's weblog is deleted at the end of the calendar year in which its
 *    contract ended, but never earlier than 30 days after the end: on
 *    max(1 January of the next year, contract end + 31 days). Raw files and keys go with it.
 *
 * `now` is injectable (`--now`) so that tests prove all of this without waiting.
 */
import { existsSync } from 'node:fs';
import type { KeyRing } from '../anonymise/index.js';
import { addDays } from '../core/dates.js';
import { type AuditRecord, deleteRawFile, listRawFiles, type Store, withRawLock } from '../store/index.js';

export { addDays };

/** The first day on which a site whose contract ended on `contractEnd` no longer has a weblog. */
export function weblogDeletionDay(contractEnd: string): string {
  const nextYear = `${Number(contractEnd.slice(0, 4)) + 1}-01-01`;
  const floor = addDays(contractEnd, 31);
  return floor > nextYear ? floor : nextYear;
}

/** Raw files and keys of days before this are gone (W = raw window in days). */
export function rawCutoff(today: string, windowDays: number): string {
  return addDays(today, -windowDays);
}

export interface PurgeResult {
  rawFilesDeleted: number;
  keysDestroyed: number;
  /** Site-days whose visit intervals were closed. */
  visitsClosed: number;
  sitesDeleted: string[];
  audit: AuditRecord[];
}

export async function runPurge(store: Store, keys: KeyRing, rawDir: string, now: Date): Promise<PurgeResult> {
  const today = now.toISOString().slice(0, 10);
  const at = now.toISOString();
  const result: PurgeResult = { rawFilesDeleted: 0, keysDestroyed: 0, visitsClosed: 0, sitesDeleted: [], audit: [] };
  const sites = await store.retention();
  const windowOf = new Map(sites.map((s) => [s.site, s.rawWindowDays]));

  for (const s of sites) {
    if (s.contractEnd === null || today < weblogDeletionDay(s.contractEnd)) continue;
    const detail = `contract ended ${s.contractEnd}; weblog kept until ${addDays(weblogDeletionDay(s.contractEnd), -1)}`;
    const rows = await store.deleteSite(s.site, 'contract-end', detail, now);
    result.sitesDeleted.push(s.site);
    result.audit.push({ at, action: 'contract-end', site: s.site, day: null, rows, detail });
    windowOf.set(s.site, -1); // everything of the site goes, raw files and keys included
  }

  // Under the spool's lock: an ingest writing meanwhile has bytes on disk that are not committed
  // yet, and must not be taken for a dead writer's.
  const purgeRaw = async (): Promise<void> => {
    const committed = await store.rawFiles();
    const known = new Set(committed.map((f) => `${f.site}\u0000${f.day}`));
    for (const f of committed) {
      const w = windowOf.get(f.site) ?? 0;
      if (w >= 0 && f.day >= rawCutoff(today, w)) continue;
      deleteRawFile(rawDir, f.site, f.day);
      const rec: AuditRecord = { at, action: 'purge-raw', site: f.site, day: f.day, rows: f.lines, detail: `raw window ${Math.max(w, 0)} days` };
      await store.forgetRawFile(f.site, f.day, rec);
      result.audit.push(rec);
      result.rawFilesDeleted++;
    }
    // Files no batch ever committed (an ingest that died before its commit) hold raw values too.
    const orphans: AuditRecord[] = [];
    for (const f of listRawFiles(rawDir)) {
      if (known.has(`${f.site}\u0000${f.day}`)) continue;
      deleteRawFile(rawDir, f.site, f.day);
      orphans.push({ at, action: 'purge-raw-uncommitted', site: f.site, day: f.day, rows: 0, detail: `${f.bytes} bytes never committed` });
    }
    if (orphans.length > 0) {
      await store.addAudit(orphans);
      result.audit.push(...orphans);
      result.rawFilesDeleted += orphans.length;
    }
  };
  if (existsSync(rawDir)) await withRawLock(rawDir, purgeRaw);
  else await purgeRaw();

  const destroyed = await keys.destroyExpired(today);
  if (destroyed.length > 0) {
    // One record per window length: a day's secret serves every site with that window.
    const keyAudit: AuditRecord[] = destroyed.map((d) => ({
      at,
      action: 'destroy-keys',
      site: '*',
      day: null,
      rows: d.days,
      detail: `days before ${d.keptFrom}, sites with a ${d.windowDays}-day raw window`,
    }));
    await store.addAudit(keyAudit);
    result.audit.push(...keyAudit);
    result.keysDestroyed = destroyed.reduce((n, d) => n + d.days, 0);
  }
  // Visits of days whose keys are gone cannot be joined any more: keep their counts only.
  result.visitsClosed = await store.closeVisits((w) => rawCutoff(today, Math.max(w, 0)), now);
  return result;
}

export interface RetentionStatus {
  site: string;
  contractEnd: string | null;
  weblogDeletedOn: string | null;
  rawWindowDays: number;
  oldestRaw: string | null;
  nextRawDeletion: string | null;
  keysAlive: number;
  oldestKey: string | null;
}

export async function retentionStatus(store: Store, keys: KeyRing): Promise<RetentionStatus[]> {
  const raw = await store.rawFiles();
  const alive = new Map((await keys.alive()).map((k) => [k.windowDays, k]));
  return (await store.retention()).map((s) => {
    const days = raw.filter((f) => f.site === s.site).map((f) => f.day).sort();
    const oldest = days[0] ?? null;
    return {
      site: s.site,
      contractEnd: s.contractEnd,
      weblogDeletedOn: s.contractEnd === null ? null : weblogDeletionDay(s.contractEnd),
      rawWindowDays: s.rawWindowDays,
      oldestRaw: oldest,
      nextRawDeletion: oldest === null ? null : addDays(oldest, s.rawWindowDays + 1),
      keysAlive: alive.get(s.rawWindowDays)?.days ?? 0,
      oldestKey: alive.get(s.rawWindowDays)?.oldest ?? null,
    };
  });
}
