/**
 * The progress line of `weblog ingest` on a terminal, from the engine's Progress events (about
 * twice a second per input). Rates are measured over the last few seconds of the current input,
 * so a resumed file (whose count starts at its checkpoint) or a slow start does not skew them.
 *
 *   access.log: 1,234,567 lines, 98,765 lines/s, 180.2/512.0 MiB (35 %), ETA 0:42
 *   -: 1,234,567 lines, 98,765 lines/s
 */
import type { Progress } from '../pipeline/index.js';
import { count, duration, mib } from '../core/numbers.js';

interface Sample {
  readonly t: number;
  readonly lines: number;
  readonly bytes: number;
}

/** Seconds of samples the rates are averaged over. */
const WINDOW_MS = 5000;

export class ProgressLine {
  readonly #now: () => number;
  #source: string | null = null;
  #samples: Sample[] = [];

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The line for an event (no cursor control: the caller owns the terminal). */
  format(p: Progress): string {
    const t = this.#now();
    if (p.source !== this.#source) {
      this.#source = p.source;
      this.#samples = [];
    }
    this.#samples.push({ t, lines: p.lines, bytes: p.bytesRead });
    while (this.#samples.length > 2 && t - this.#samples[1]!.t >= WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    const secs = (t - first.t) / 1000;
    const parts = [`${p.source}: ${count(p.lines)} lines`];
    if (secs > 0) parts.push(`${count((p.lines - first.lines) / secs)} lines/s`);
    if (p.bytesTotal !== null && p.bytesTotal > 0) {
      const done = Math.min(p.bytesRead, p.bytesTotal);
      parts.push(`${mib(done)}/${mib(p.bytesTotal)} MiB (${Math.floor((done * 100) / p.bytesTotal)} %)`);
      const byteRate = secs > 0 ? (p.bytesRead - first.bytes) / secs : 0;
      if (byteRate > 0 && done < p.bytesTotal) parts.push(`ETA ${duration((p.bytesTotal - done) / byteRate)}`);
    } else if (p.bytesRead > 0) parts.push(`${mib(p.bytesRead)} MiB`);
    return parts.join(', ');
  }
}
