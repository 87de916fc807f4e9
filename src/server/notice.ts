/**
 * The privacy notices `/privacy` shows: for a signed-in caller one per visible site, made from
 * that site's effective policy (the policies of its stored data, its raw window and contract
 * end); for anyone else the notice for data not yet received (the server's policy for new data).
 */
import type { IpPolicySpec, UserPolicySpec } from '../core/policy.js';
import { weblogDeletionDay } from '../pipeline/index.js';
import { DEFAULT_THRESHOLD, type NoticeInput } from '../report/index.js';
import type { Caller, ServerDeps } from './context.js';
import { visibleSites } from './tenant.js';

/** What ingests of this server do with new data (its pipeline settings and flags). */
export interface NewDataPolicy {
  readonly ip: readonly IpPolicySpec[];
  readonly user: readonly UserPolicySpec[];
  readonly rawWindowDays: number;
  readonly countries: boolean;
}

export function newDataNotice(p: NewDataPolicy): NoticeInput {
  return { site: null, ...p, threshold: DEFAULT_THRESHOLD, contractEnd: null, deletionDay: null };
}

export async function siteNotices(caller: Caller, deps: ServerDeps, p: NewDataPolicy): Promise<NoticeInput[]> {
  const retention = new Map((await deps.store.retention()).map((r) => [r.site, r]));
  const out: NoticeInput[] = [];
  for (const site of await visibleSites(caller, deps)) {
    const r = retention.get(site);
    const last = r?.lastDay ?? null;
    const meta = last === null ? null : (await deps.store.query({ site, from: last, to: last, top: 1 }))?.meta ?? null;
    const contractEnd = r?.contractEnd ?? null;
    out.push({
      site,
      // A site without data yet gets the policy its first data will be made under.
      ip: meta?.ip ?? p.ip,
      user: meta?.user ?? p.user,
      rawWindowDays: meta?.rawWindowDays ?? r?.rawWindowDays ?? p.rawWindowDays,
      threshold: DEFAULT_THRESHOLD,
      countries: p.countries,
      contractEnd,
      deletionDay: contractEnd === null ? null : weblogDeletionDay(contractEnd),
    });
  }
  return out;
}
