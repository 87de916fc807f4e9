/**
 * A batch's visits, exact in any arrival order.
 *
 * A visit is a maximal run of one visitor's hits on one day in which consecutive hits (in time
 * order) are at most the visit timeout apart. A visitor-day is kept as a short list of
 * intervals [first, last] with that property, and a hit joins every interval it comes within
 * the timeout of (closing gaps merges intervals). So the result does not depend on the order
 * lines arrive in, and the intervals of two parts of a day merge by the same rule
 * (visit-merge.ts): what worker threads, several web servers and late files need.
 *
 * Each interval also carries its page views and its first and last page (by time; among page
 * views in the same second, the smaller key in byte order), for entry and exit pages and bounces.
 * Typed arrays only: 40 bytes per interval, no object per visitor.
 */
import { PairIndex } from '../core/pair-index.js';
import { NO_KEY } from './batch-data.js';

/** Whether key a sorts before key b (ties of page views in the same second). */
export type KeyLess = (a: number, b: number) => boolean;

export class VisitTable {
  readonly #visitors = new PairIndex(4096);
  #head = new Int32Array(4096);
  #first = new Uint32Array(4096);
  #last = new Uint32Array(4096);
  #pages = new Uint32Array(4096);
  #entry = new Uint32Array(4096);
  #entryTime = new Uint32Array(4096);
  #exit = new Uint32Array(4096);
  #exitTime = new Uint32Array(4096);
  #next = new Int32Array(4096);
  #intervals = 0;
  /** Freed intervals, for reuse (merges free one each). */
  #free = -1;

  constructor(
    readonly timeoutSec: number,
    readonly keyLess: KeyLess,
  ) {}

  get visitors(): number {
    return this.#visitors.size;
  }

  get memoryBytes(): number {
    return this.#visitors.memoryBytes + this.#head.length * 4 + this.#first.length * 36;
  }

  /** A hit of `client` on site-day `sd` at unix second `t`; `page` is the page's key, or NO_KEY. */
  hit(sd: number, client: number, t: number, page: number): void {
    const before = this.#visitors.size;
    const v = this.#visitors.add(sd, client);
    if (v >= this.#head.length) this.#growHead();
    if (v === before) {
      this.#head[v] = this.#newInterval(t, page, -1);
      return;
    }
    const T = this.timeoutSec;
    let i = this.#head[v]!;
    while (i !== -1 && !(t + T >= this.#first[i]! && t <= this.#last[i]! + T)) i = this.#next[i]!;
    if (i === -1) {
      this.#head[v] = this.#newInterval(t, page, this.#head[v]!);
      return;
    }
    if (t < this.#first[i]!) this.#first[i] = t;
    if (t > this.#last[i]!) this.#last[i] = t;
    if (page !== NO_KEY) this.#addPage(i, t, page);
    this.#absorb(v, i);
  }

  sdOf(v: number): number {
    return this.#visitors.keyA(v);
  }

  clientOf(v: number): number {
    return this.#visitors.keyB(v);
  }

  headOf(v: number): number {
    return this.#head[v]!;
  }

  next(i: number): number {
    return this.#next[i]!;
  }

  first(i: number): number {
    return this.#first[i]!;
  }

  last(i: number): number {
    return this.#last[i]!;
  }

  pages(i: number): number {
    return this.#pages[i]!;
  }

  entry(i: number): number {
    return this.#entry[i]!;
  }

  entryTime(i: number): number {
    return this.#entryTime[i]!;
  }

  exit(i: number): number {
    return this.#exit[i]!;
  }

  exitTime(i: number): number {
    return this.#exitTime[i]!;
  }

  clear(): void {
    this.#visitors.clear();
    this.#intervals = 0;
    this.#free = -1;
  }

  #newInterval(t: number, page: number, next: number): number {
    let i = this.#free;
    if (i !== -1) this.#free = this.#next[i]!;
    else {
      i = this.#intervals++;
      if (i >= this.#first.length) this.#growIntervals();
    }
    this.#first[i] = t;
    this.#last[i] = t;
    this.#next[i] = next;
    if (page === NO_KEY) {
      this.#pages[i] = 0;
      this.#entry[i] = NO_KEY;
      this.#exit[i] = NO_KEY;
      this.#entryTime[i] = 0;
      this.#exitTime[i] = 0;
    } else {
      this.#pages[i] = 1;
      this.#entry[i] = page;
      this.#exit[i] = page;
      this.#entryTime[i] = t;
      this.#exitTime[i] = t;
    }
    return i;
  }

  #addPage(i: number, t: number, page: number): void {
    const had = this.#pages[i]!;
    this.#pages[i] = had + 1;
    if (had === 0) {
      this.#entry[i] = page;
      this.#exit[i] = page;
      this.#entryTime[i] = t;
      this.#exitTime[i] = t;
      return;
    }
    const et = this.#entryTime[i]!;
    if (t < et || (t === et && this.keyLess(page, this.#entry[i]!))) {
      this.#entry[i] = page;
      this.#entryTime[i] = t;
    }
    const xt = this.#exitTime[i]!;
    if (t > xt || (t === xt && this.keyLess(this.#exit[i]!, page))) {
      this.#exit[i] = page;
      this.#exitTime[i] = t;
    }
  }

  /** Interval i grew: merge every other interval of visitor v that is now within the timeout. */
  #absorb(v: number, i: number): void {
    const T = this.timeoutSec;
    for (;;) {
      let prev = -1;
      let j = this.#head[v]!;
      let merged = false;
      while (j !== -1) {
        const nj = this.#next[j]!;
        if (j !== i && this.#first[j]! <= this.#last[i]! + T && this.#last[j]! + T >= this.#first[i]!) {
          this.#mergeInto(i, j);
          if (prev === -1) this.#head[v] = nj;
          else this.#next[prev] = nj;
          this.#next[j] = this.#free;
          this.#free = j;
          merged = true;
        } else prev = j;
        j = nj;
      }
      if (!merged) return;
    }
  }

  #mergeInto(i: number, j: number): void {
    if (this.#first[j]! < this.#first[i]!) this.#first[i] = this.#first[j]!;
    if (this.#last[j]! > this.#last[i]!) this.#last[i] = this.#last[j]!;
    const pj = this.#pages[j]!;
    if (pj === 0) return;
    if (this.#pages[i] === 0) {
      this.#entry[i] = this.#entry[j]!;
      this.#entryTime[i] = this.#entryTime[j]!;
      this.#exit[i] = this.#exit[j]!;
      this.#exitTime[i] = this.#exitTime[j]!;
    } else {
      const et = this.#entryTime[j]!;
      if (et < this.#entryTime[i]! || (et === this.#entryTime[i] && this.keyLess(this.#entry[j]!, this.#entry[i]!))) {
        this.#entry[i] = this.#entry[j]!;
        this.#entryTime[i] = et;
      }
      const xt = this.#exitTime[j]!;
      if (xt > this.#exitTime[i]! || (xt === this.#exitTime[i] && this.keyLess(this.#exit[i]!, this.#exit[j]!))) {
        this.#exit[i] = this.#exit[j]!;
        this.#exitTime[i] = xt;
      }
    }
    this.#pages[i] = this.#pages[i]! + pj;
  }

  #growHead(): void {
    const h = new Int32Array(this.#head.length * 2);
    h.set(this.#head);
    this.#head = h;
  }

  #growIntervals(): void {
    const n = this.#first.length * 2;
    const grow = <T extends Uint32Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.#first = grow(this.#first);
    this.#last = grow(this.#last);
    this.#pages = grow(this.#pages);
    this.#entry = grow(this.#entry);
    this.#entryTime = grow(this.#entryTime);
    this.#exit = grow(this.#exit);
    this.#exitTime = grow(this.#exitTime);
    this.#next = grow(this.#next);
  }
}
