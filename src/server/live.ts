/**
 * "Live today": the current day's numbers of a site, pushed to open pages as server-sent events.
 *
 * Two things wake a site up: an ingest through this server commits (`notify`, at once), and a
 * slow poll while someone watches (commits by another process, e.g. `weblog ingest --follow` on
 * the same store, are only visible in the store). Either way the day is read again and sent only
 * when it changed. Nothing is read for a site that no page watches.
 */
import type { DayRow } from '../report/index.js';

export type TodayReader = (site: string, day: string) => Promise<DayRow>;

export type LiveListener = (day: DayRow) => void;

interface Watch {
  readonly listeners: Set<LiveListener>;
  last: string;
  timer: NodeJS.Timeout;
  reading: boolean;
}

export interface LiveFeedOptions {
  readonly read: TodayReader;
  readonly today: () => string;
  /** How often a watched site is read again for commits made by other processes. */
  readonly pollMs: number;
  /** Open streams at most (each holds a socket): beyond, subscribe returns null. */
  readonly maxStreams: number;
}

export class LiveFeed {
  readonly #opts: LiveFeedOptions;
  readonly #watches = new Map<string, Watch>();
  readonly #ends = new Set<() => void>();
  /** When an ingest through this server last committed data of a site (this process only). */
  readonly lastIngest = new Map<string, Date>();
  #streams = 0;
  #closed = false;

  constructor(opts: LiveFeedOptions) {
    this.#opts = opts;
  }

  get streams(): number {
    return this.#streams;
  }

  /**
   * Watch a site; `end` is called when the server shuts down. Returns the unsubscribe function,
   * or null when the stream limit is reached or the feed is closed.
   */
  subscribe(site: string, listener: LiveListener, end: () => void): (() => void) | null {
    if (this.#closed || this.#streams >= this.#opts.maxStreams) return null;
    this.#streams++;
    let w = this.#watches.get(site);
    if (w === undefined) {
      const timer = setInterval(() => void this.#refresh(site, false), this.#opts.pollMs);
      timer.unref();
      w = { listeners: new Set(), last: '', timer, reading: false };
      this.#watches.set(site, w);
    }
    w.listeners.add(listener);
    this.#ends.add(end);
    void this.#refresh(site, true, listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#streams--;
      this.#ends.delete(end);
      const cur = this.#watches.get(site);
      if (cur === undefined) return;
      cur.listeners.delete(listener);
      if (cur.listeners.size === 0) {
        clearInterval(cur.timer);
        this.#watches.delete(site);
      }
    };
  }

  /** Sites that just received data through this server. */
  notify(sites: readonly string[], at: Date = new Date()): void {
    for (const s of sites) {
      this.lastIngest.set(s, at);
      if (this.#watches.has(s)) void this.#refresh(s, false);
    }
  }

  /** Ends every open stream (graceful shutdown: open streams would keep the server from closing). */
  close(): void {
    this.#closed = true;
    for (const w of this.#watches.values()) clearInterval(w.timer);
    for (const end of [...this.#ends]) end();
    this.#watches.clear();
  }

  async #refresh(site: string, initial: boolean, only?: LiveListener): Promise<void> {
    const w = this.#watches.get(site);
    if (w === undefined) return;
    // One read at a time per site; a poll that finds one running is simply skipped.
    if (w.reading && !initial) return;
    w.reading = true;
    try {
      const day = await this.#opts.read(site, this.#opts.today());
      const key = JSON.stringify(day);
      const changed = key !== w.last;
      w.last = key;
      if (only !== undefined) only(day);
      if (!changed) return;
      for (const l of w.listeners) if (l !== only) l(day);
    } catch {
      // A failed read (store busy) is retried by the next poll; the page keeps what it shows.
    } finally {
      w.reading = false;
    }
  }
}
