/**
 * The sites of an ingest and the (site, day) slots of a batch, as small integers: every per-line
 * table is keyed by a site-day slot, so a line's site and day cost one integer lookup, and the
 * batch's state is allocated per slot on first use and dropped when the batch drains.
 */
import { PairIndex } from './pair-index.js';

/** Site names ↔ indexes for the life of an ingest. */
export class SiteTable {
  readonly #index = new Map<string, number>();
  readonly names: string[] = [];

  indexOf(name: string): number {
    let i = this.#index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.#index.set(name, i);
    }
    return i;
  }

  nameOf(i: number): string {
    return this.names[i]!;
  }

  get size(): number {
    return this.names.length;
  }
}

/** A batch's site-day slots. */
export class SiteDays {
  readonly #index = new PairIndex(256);
  #lastSite = -1;
  #lastDay = -1;
  #last = -1;

  constructor(readonly sites: SiteTable) {}

  /** The slot of (site index, day number). */
  slot(site: number, day: number): number {
    if (site === this.#lastSite && day === this.#lastDay) return this.#last;
    // Days are offset so that negative day numbers (before 1970) stay unsigned.
    const sd = this.#index.add(site, day + 0x40000000);
    this.#lastSite = site;
    this.#lastDay = day;
    this.#last = sd;
    return sd;
  }

  get count(): number {
    return this.#index.size;
  }

  siteIndex(sd: number): number {
    return this.#index.keyA(sd);
  }

  site(sd: number): string {
    return this.sites.nameOf(this.#index.keyA(sd));
  }

  day(sd: number): number {
    return this.#index.keyB(sd) - 0x40000000;
  }

  clear(): void {
    this.#index.clear();
    this.#lastSite = -1;
    this.#lastDay = -1;
    this.#last = -1;
  }
}
