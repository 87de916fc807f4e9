/**
 * Where the line path runs: inline on the calling thread ("0 workers"), or in N worker threads.
 * One interface, one line path (line-path.ts) either way; the reader and the commit step do not
 * know which.
 *
 * Workers: each block of lines goes to the next worker, round robin; a batch end asks every
 * worker for its part of the batch (after the blocks it already has), so a batch is N parts, and
 * a store adds them like any other parts (counts add, visit intervals merge): the result is the
 * same as one thread's. A worker gets more blocks only while it has fewer than AHEAD bytes
 * unprocessed, so memory stays bounded by the read-ahead, not the input.
 *
 * Keys: a worker's drain asks the main thread's key ring (a message, answered asynchronously):
 * nothing blocks, and keys are fetched once per batch for all its site-days.
 */
import { Worker } from 'node:worker_threads';
import type { KeyRing, KeyRequest } from '../../anonymise/index.js';
import { AppError, appError, type ErrorCode } from '../../core/errors.js';
import type { ByteLineParser, FormatSpec } from '../../parse/index.js';
import type { AttackFlag } from '../../detect/index.js';
import { LinePath, type PartResult, type Routing } from './line-path.js';
import { buildStages, type SiteSettings, type StageSettings, type Stages } from './stages.js';

export interface InputSpec {
  readonly name: string;
  /** How a worker compiles the input's parser. */
  readonly format: FormatSpec;
  readonly routing: Routing;
}

export interface Executor {
  /** Threads the line path runs on (0: inline). */
  readonly workers: number;
  /** The lines that follow belong to this input (`parser` is the compiled `spec.format`). */
  startInput(spec: InputSpec, parser: ByteLineParser): void;
  /**
   * Runs a block: bytes `block` from `from`, line i ending at ends[i] (exclusive; the '\n' follows).
   * Resolves when the executor can take more, with the number of lines taken: fewer than `n`
   * when the batch should end before the next one (a new day, once the batch has `cutAfter`
   * lines; only the inline executor cuts). `block` and `ends` stay the caller's.
   */
  run(block: Uint8Array, from: number, ends: Uint32Array, n: number, firstLine: number, cutAfter: number): Promise<number>;
  /** Ends the current batch; resolves with its parts once every thread has drained it. */
  endBatch(): Promise<PartResult[]>;
  /** New per-site settings (a server's accounts changed), for the lines of later inputs. */
  updateSites(sites: ReadonlyMap<string, SiteSettings>): void;
  /**
   * Drops every line run since the last batch end: an input that failed or whose batch a store
   * refused must not leak into the next input's first batch (a server reuses its executor).
   */
  discard(): Promise<void>;
  close(): Promise<void>;
}

export interface ExecutorOptions {
  readonly settings: StageSettings;
  readonly keys: KeyRing;
  /** Whether any site may keep raw lines (then parts carry them). */
  readonly raw: boolean;
  /** The day the raw window and key lifetimes are counted back from (asked at each input and batch end). */
  readonly today: () => string;
  readonly onAttack: ((f: AttackFlag) => void) | null;
}

export async function createExecutor(workers: number, opts: ExecutorOptions): Promise<Executor> {
  if (workers <= 0) return InlineExecutor.create(opts);
  return new WorkerExecutor(workers, opts);
}

class InlineExecutor implements Executor {
  readonly workers = 0;
  readonly #path: LinePath;
  readonly #stages: Stages;
  readonly #today: () => string;

  private constructor(stages: Stages, today: () => string) {
    this.#stages = stages;
    this.#path = new LinePath(stages);
    this.#today = today;
  }

  static async create(opts: ExecutorOptions): Promise<InlineExecutor> {
    return new InlineExecutor(await buildStages(opts.settings, opts.keys, { raw: opts.raw, today: opts.today(), onAttack: opts.onAttack }), opts.today);
  }

  startInput(spec: InputSpec, parser: ByteLineParser): void {
    this.#stages.today = this.#today();
    this.#path.setInput(parser, spec.routing);
  }

  updateSites(sites: ReadonlyMap<string, SiteSettings>): void {
    this.#stages.updateSites(sites);
  }

  async discard(): Promise<void> {
    this.#path.discard();
  }

  async run(block: Uint8Array, from: number, ends: Uint32Array, n: number, firstLine: number, cutAfter: number): Promise<number> {
    return this.#path.run(block, from, ends, n, firstLine, cutAfter);
  }

  async endBatch(): Promise<PartResult[]> {
    const today = this.#today();
    this.#stages.today = today;
    return [await this.#path.drain(today)];
  }

  async close(): Promise<void> {
    this.#stages.close();
  }
}

/** Messages to a worker. */
export type ToWorker =
  | { readonly type: 'input'; readonly spec: InputSpec; readonly today: string }
  | { readonly type: 'block'; readonly block: Uint8Array; readonly from: number; readonly ends: Uint32Array; readonly n: number; readonly firstLine: number }
  | { readonly type: 'drain'; readonly batch: number; readonly today: string }
  | { readonly type: 'sites'; readonly sites: ReadonlyMap<string, SiteSettings> }
  | { readonly type: 'discard'; readonly id: number }
  | { readonly type: 'keys'; readonly id: number; readonly keys: { key: Uint32Array; gen: string }[] | null; readonly error?: string };

/** Messages from a worker. */
export type FromWorker =
  | { readonly type: 'ack'; readonly bytes: number }
  | { readonly type: 'part'; readonly batch: number; readonly result: PartResult }
  | { readonly type: 'discarded'; readonly id: number }
  | { readonly type: 'keys'; readonly id: number; readonly reqs: KeyRequest[]; readonly today: string }
  | { readonly type: 'error'; readonly code: string | null; readonly message: string; readonly stack?: string };

export interface WorkerInit {
  readonly settings: StageSettings;
  readonly raw: boolean;
  readonly today: string;
}

/** Unprocessed bytes a worker may hold: enough to stay busy while the main thread commits. */
const AHEAD = 16 * 1024 * 1024;

/**
 * The worker: compiled JS next to this file, or, when weblog runs from its TypeScript sources
 * (tests, `npx tsx`), the .ts source loaded through tsx, which a worker must register itself.
 */
function spawnWorker(workerData: WorkerInit): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

interface Slot {
  readonly worker: Worker;
  unacked: number;
  /** The last discard the worker has done. */
  discarded: number;
}

class WorkerExecutor implements Executor {
  readonly workers: number;
  readonly #slots: Slot[];
  readonly #keys: KeyRing;
  readonly #today: () => string;
  #next = 0;
  #batch = 0;
  #failure: Error | null = null;
  #closing = false;
  /** Parts received per batch, and who waits for them. */
  readonly #parts = new Map<number, { got: PartResult[]; resolve: (p: PartResult[]) => void; reject: (e: Error) => void }>();
  #waiters: (() => void)[] = [];

  constructor(count: number, opts: ExecutorOptions) {
    this.workers = count;
    this.#keys = opts.keys;
    this.#today = opts.today;
    const init: WorkerInit = { settings: opts.settings, raw: opts.raw, today: opts.today() };
    this.#slots = Array.from({ length: count }, () => {
      const worker = spawnWorker(init);
      const slot: Slot = { worker, unacked: 0, discarded: -1 };
      worker.on('message', (m: FromWorker) => this.#onMessage(slot, m));
      worker.on('error', (e) => this.#fail(appError('ERR_INTERNAL', `ingest worker: ${e.message}`)));
      worker.on('exit', (code) => {
        // A worker only ends when told to: any other exit leaves its blocks unanswered.
        if (!this.#closing) this.#fail(appError('ERR_INTERNAL', `ingest worker exited with code ${code}`));
      });
      return slot;
    });
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    switch (m.type) {
      case 'ack':
        slot.unacked -= m.bytes;
        this.#wake();
        break;
      case 'part': {
        const p = this.#parts.get(m.batch);
        if (p === undefined) break;
        p.got.push(m.result);
        if (p.got.length === this.workers) {
          this.#parts.delete(m.batch);
          p.resolve(p.got);
        }
        break;
      }
      case 'discarded':
        slot.discarded = m.id;
        this.#wake();
        break;
      case 'keys':
        this.#keys.keysFor(m.reqs, m.today).then(
          (keys) => slot.worker.postMessage({ type: 'keys', id: m.id, keys: keys.map((k) => ({ key: k.key, gen: k.gen })) } satisfies ToWorker),
          (e: unknown) => slot.worker.postMessage({ type: 'keys', id: m.id, keys: null, error: (e as Error).message } satisfies ToWorker),
        );
        break;
      case 'error':
        this.#fail(
          m.code !== null ? new AppError(m.code as ErrorCode, [m.message]) : Object.assign(new Error(m.message), m.stack ? { stack: m.stack } : {}),
        );
        break;
    }
  }

  #fail(e: Error): void {
    if (this.#failure !== null) return;
    this.#failure = e;
    for (const p of this.#parts.values()) p.reject(e);
    this.#parts.clear();
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  async #until(ok: () => boolean): Promise<void> {
    while (!ok()) {
      if (this.#failure) throw this.#failure;
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    if (this.#failure) throw this.#failure;
  }

  startInput(spec: InputSpec): void {
    const today = this.#today();
    for (const s of this.#slots) s.worker.postMessage({ type: 'input', spec, today } satisfies ToWorker);
  }

  updateSites(sites: ReadonlyMap<string, SiteSettings>): void {
    for (const s of this.#slots) s.worker.postMessage({ type: 'sites', sites } satisfies ToWorker);
  }

  #discards = 0;

  async discard(): Promise<void> {
    if (this.#failure) return;
    const id = this.#discards++;
    // Parts of batches ended before are not waited for any more.
    for (const p of this.#parts.values()) p.reject(new Error('discarded'));
    this.#parts.clear();
    for (const s of this.#slots) s.worker.postMessage({ type: 'discard', id } satisfies ToWorker);
    await this.#until(() => this.#slots.every((s) => s.discarded >= id));
  }

  // Worker threads never cut a batch early: the reader is blocks ahead of the line path.
  async run(block: Uint8Array, from: number, ends: Uint32Array, n: number, firstLine: number): Promise<number> {
    const slot = this.#slots[this.#next]!;
    this.#next = (this.#next + 1) % this.workers;
    await this.#until(() => slot.unacked < AHEAD);
    // The lines are copied into memory the worker then owns (transferred, not cloned): the
    // caller goes on reading the rest of its buffer.
    const to = ends[n - 1]! + 1;
    // Not block.slice(): on a Buffer that is a view, and transferring it would detach the caller's memory.
    const own = new Uint8Array(to - from);
    own.set(block.subarray(from, to));
    const rebased = new Uint32Array(n);
    for (let i = 0; i < n; i++) rebased[i] = ends[i]! - from;
    slot.unacked += own.byteLength;
    slot.worker.postMessage({ type: 'block', block: own, from: 0, ends: rebased, n, firstLine } satisfies ToWorker, [own.buffer as ArrayBuffer, rebased.buffer as ArrayBuffer]);
    return n;
  }

  endBatch(): Promise<PartResult[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const batch = this.#batch++;
    const p = new Promise<PartResult[]>((resolve, reject) => this.#parts.set(batch, { got: [], resolve, reject }));
    const today = this.#today();
    for (const s of this.#slots) s.worker.postMessage({ type: 'drain', batch, today } satisfies ToWorker);
    return p;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
