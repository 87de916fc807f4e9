/**
 * The late-data rule on stderr (docs/metrics.md, "Late data"): days already past the raw window
 * when their lines arrive are counted with keys that live only in this ingest process, so their
 * visitors cannot be matched with another run's visitors of the same days. The report marks such
 * days (`undeduplicatedDays`); this says so when the ingest that caused it ends, so that an
 * operator importing archives in several runs learns it then, not from a customer.
 */
import type { KeyRing, KeyRequest, SiteDayKey } from '../anonymise/index.js';
import { counted } from '../core/numbers.js';
import type { Store } from '../store/index.js';

export interface LateDays {
  /** The key ring to hand to the ingest: the same keys, with process-only days noted. */
  readonly ring: KeyRing;
  /** Site → days (YYYY-MM-DD) counted with keys that live only in this process. */
  readonly days: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Process-only keys carry a generation starting with 'p:' (anonymise/keyring.ts). */
const processOnly = (k: SiteDayKey): boolean => k.gen.startsWith('p:');

export function watchLateDays(keys: KeyRing): LateDays {
  const days = new Map<string, Set<string>>();
  const note = (r: KeyRequest): void => {
    let s = days.get(r.site);
    if (s === undefined) days.set(r.site, (s = new Set()));
    s.add(r.day);
  };
  const ring: KeyRing = {
    async keysFor(reqs, today) {
      const out = await keys.keysFor(reqs, today);
      for (let i = 0; i < out.length; i++) if (processOnly(out[i]!)) note(reqs[i]!);
      return out;
    },
    destroyExpired: (today) => keys.destroyExpired(today),
    alive: () => keys.alive(),
    close: () => keys.close(),
  };
  return { ring, days };
}

/** Sites listed by name at most; the rest are counted. */
const SHOWN_SITES = 10;

/**
 * One line per site whose process-only days also hold visitors that another run counted: those
 * days' visitors may be counted twice, and the report marks them. Nothing when there are none.
 */
export async function describeUndeduplicated(store: Store, late: LateDays['days']): Promise<string[]> {
  const all = [...late.values()].flatMap((s) => [...s]).sort();
  if (all.length === 0) return [];
  const hits = new Map<string, string[]>();
  for (const r of await store.undeduplicatedDays(all[0]!, all[all.length - 1]!)) {
    if (!late.get(r.site)?.has(r.day)) continue;
    const h = hits.get(r.site);
    if (h === undefined) hits.set(r.site, [r.day]);
    else h.push(r.day);
  }
  const out: string[] = [];
  for (const [site, hit] of [...hits].sort((a, b) => (a[0] < b[0] ? -1 : 1)).slice(0, SHOWN_SITES)) {
    hit.sort();
    const span = hit.length === 1 ? hit[0]! : `${hit[0]} … ${hit[hit.length - 1]}`;
    out.push(
      `${site}: ${counted(hit.length, 'day')} older than the raw window (${span}) ${hit.length === 1 ? 'was' : 'were'} also counted by another ingest run; ` +
        'such days get keys that live only in each run, so their visitors and visits cannot be matched across the runs and may be counted twice ' +
        "(the report marks these days; hits, bytes and the lists other than entry and exit pages are exact). Import a period's files in one run: docs/migrate.md",
    );
  }
  if (hits.size > SHOWN_SITES) out.push(`… and ${counted(hits.size - SHOWN_SITES, 'more site')} like these`);
  return out;
}
