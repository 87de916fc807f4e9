/**
 * Ending an ingest within seconds whatever it waits for (issue 17): the ClickHouse store and key
 * ring wait on the server (settle rules, retries, slow or hung HTTP). After SIGINT/SIGTERM the
 * ingest commits what it has read, so a wait that ends normally is let run; but one still pending
 * `graceMs` after the signal is abandoned with ERR_INTERRUPTED, its requests aborted and not
 * retried. Nothing half-done can count: a batch counts only once its commit row is written and
 * has won its source position (ledger.ts); a rerun resumes from what did.
 */
import { appError } from '../../core/errors.js';

/**
 * Grace after a signal before pending waits are abandoned (WEBLOG_CH_STOP_GRACE_MS, default
 * 10 s): enough for a batch's key agreement and the commits of the two batches in flight (a
 * settle wait of 1–2 s each) on an answering server.
 */
function graceMs(): number {
  const v = Number(process.env.WEBLOG_CH_STOP_GRACE_MS ?? 10_000);
  return Number.isFinite(v) && v >= 0 ? v : 10_000;
}

export class Interrupt {
  #expired: Promise<never> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #fire: ((e: Error) => void) | null = null;
  #gone = false;
  readonly #abort = new AbortController();

  constructor(readonly signal: AbortSignal | undefined) {
    if (signal === undefined) return;
    const start = (): void => {
      this.#timer = setTimeout(() => {
        this.#gone = true;
        this.#fire?.(appError('ERR_INTERRUPTED', 'ClickHouse'));
        this.#abort.abort();
      }, graceMs());
      this.#timer.unref();
    };
    if (signal.aborted) start();
    else signal.addEventListener('abort', start, { once: true });
  }

  /** True once the grace after a signal has passed: new waits fail at once, nothing is retried. */
  get expired(): boolean {
    return this.#gone;
  }

  /** Aborts the HTTP requests still running when the grace has passed (ChNode.abortSignal). */
  get abortSignal(): AbortSignal {
    return this.#abort.signal;
  }

  #expiry(): Promise<never> {
    if (this.#expired === null) {
      this.#expired = new Promise<never>((_, reject) => {
        this.#fire = reject;
      });
      // Only `guard` callers observe it.
      this.#expired.catch(() => undefined);
    }
    return this.#expired;
  }

  /** `p`, unless a signal's grace runs out first (then ERR_INTERRUPTED naming `what`). */
  async guard<T>(p: Promise<T>, what: string): Promise<T> {
    if (this.signal === undefined) return p;
    if (this.#gone) {
      p.catch(() => undefined);
      throw appError('ERR_INTERRUPTED', what);
    }
    p.catch(() => undefined);
    try {
      return await Promise.race([p, this.#expiry()]);
    } catch (e) {
      if (this.#gone && (e as { code?: string }).code === 'ERR_INTERRUPTED') throw appError('ERR_INTERRUPTED', what);
      throw e;
    }
  }

  sleep(ms: number, what: string): Promise<void> {
    return this.guard(
      new Promise<void>((r) => setTimeout(r, ms)),
      what,
    );
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }
}

/** An Interrupt that never fires (stores opened without a signal). */
export const NO_INTERRUPT = new Interrupt(undefined);
