/**
 * The pieces (segments) this process appended per site-day and key generation since they were
 * last compacted: which site-day to compact at once, during an ingest, when it gathers `compactAt`
 * pieces (compact() at the end finds the rest in the store, schema v9). Numbers per generation rather than one
 * joined string per site-day (a shared host's run writes tens of thousands of site-days), and
 * the site-days due for compaction are noted when they reach the bound, so a commit does not
 * scan them all.
 */

export interface SiteDayGen {
  readonly site: number;
  readonly day: number;
  readonly gen: string;
}

/** Days are YYYYMMDD integers (< 10^8): site × DAYS + day is exact below 2^53 for any site id in use. */
const DAYS = 100_000_000;

export class WrittenPieces {
  readonly #byGen = new Map<string, Map<number, number>>();
  readonly #compactAt: number;
  #due: SiteDayGen[] = [];

  constructor(compactAt: number) {
    this.#compactAt = compactAt;
  }

  /** One more piece of (site, day, gen). */
  add(site: number, day: number, gen: string): void {
    let m = this.#byGen.get(gen);
    if (m === undefined) this.#byGen.set(gen, (m = new Map()));
    const k = site * DAYS + day;
    const n = (m.get(k) ?? 0) + 1;
    m.set(k, n);
    if (n === this.#compactAt) this.#due.push({ site, day, gen });
  }

  /** The site-days that reached the bound since the last call. */
  takeDue(): SiteDayGen[] {
    const d = this.#due;
    this.#due = [];
    return d;
  }

  /** (site, day, gen) is one piece again (compacted), if this process wrote any of it. */
  compacted(s: SiteDayGen): void {
    const m = this.#byGen.get(s.gen);
    const k = s.site * DAYS + s.day;
    if (m?.has(k) === true) m.set(k, 1);
  }

  /** Forgets a deleted site. */
  forgetSite(site: number): void {
    for (const m of this.#byGen.values()) for (const k of [...m.keys()]) if (Math.floor(k / DAYS) === site) m.delete(k);
    this.#due = this.#due.filter((s) => s.site !== site);
  }

  clear(): void {
    this.#byGen.clear();
    this.#due = [];
  }
}
