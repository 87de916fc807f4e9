/**
 * Worker threads for a parallel ingest.
 *
 * Design: the main thread reads the input and cuts it into the same batches a single-threaded
 * ingest would make (every `batchLines` lines). Batch k goes to worker k mod n, which runs the
 * whole per-line path on it and sends back the batch's drained deltas; the main thread commits
 * batches strictly in order, each with its checkpoint. Workers never merge with each other and
 * never touch the store, so the committed result is exactly the single-threaded one (same
 * batches, same order); the only shared state, the key ring, is served by the main thread.
 *
 * Flow control: the reader starts batch k only while fewer than n + 1 batches are uncommitted,
 * and sends a worker more lines only while it has fewer than AHEAD_* bytes unprocessed. With one
 * worker, 32 MB ahead keep it busy while the main thread commits; with more, the reader must get
 * a whole batch ahead (batch k+1 goes to another worker only after batch k is read).
 */
import { Worker } from 'node:worker_threads';
import type { KeyRing } from '../../anonymise/index.js';
import { AppError, appError, type ErrorCode } from '../../core/errors.js';
import type { FormatSpec } from '../../parse/index.js';
import type { StageSettings } from '../build.js';
import type { Routing } from '../line-processor.js';
import { KEY_CHANNEL_BYTES, KEY_CHARS, KEY_LENGTH, KEY_STATE, type BatchResult, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';

interface Slot {
  readonly worker: Worker;
  readonly channel: SharedArrayBuffer;
  /** Bytes sent and not yet processed. */
  unacked: number;
}

/** Read-ahead per worker: one worker only has to outlast a commit; several need a batch each. */
const AHEAD_ONE = 32 * 1024 * 1024;
const AHEAD_MANY = 64 * 1024 * 1024;

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

export class IngestWorkers {
  readonly size: number;
  readonly #slots: Slot[];
  readonly #keys: KeyRing;
  readonly #results = new Map<number, BatchResult>();
  #failure: Error | null = null;
  #closing = false;
  #nextBatch = 0;
  /** Woken whenever something arrives (a result, a failure). */
  #waiters: (() => void)[] = [];

  constructor(count: number, settings: StageSettings, keys: KeyRing, raw: boolean, today: string) {
    this.size = count;
    this.#keys = keys;
    this.#slots = Array.from({ length: count }, () => {
      const channel = new SharedArrayBuffer(KEY_CHANNEL_BYTES);
      const init: WorkerInit = { settings, raw, today, keyChannel: channel };
      const worker = spawnWorker(init);
      const slot: Slot = { worker, channel, unacked: 0 };
      worker.on('message', (m: FromWorker) => this.#onMessage(slot, m));
      worker.on('error', (e) => this.fail(appError('ERR_INTERNAL', `ingest worker: ${e.message}`)));
      worker.on('exit', (code) => {
        // A worker only ends when told to: any other exit would leave its batches unanswered.
        if (!this.#closing) this.fail(appError('ERR_INTERNAL', `ingest worker exited with code ${code}`));
      });
      return slot;
    });
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    switch (m.type) {
      case 'ack':
        slot.unacked -= m.bytes;
        break;
      case 'batch':
        this.#results.set(m.batch, m);
        break;
      case 'key':
        this.#answerKey(slot, m.site, m.date);
        return;
      case 'error': {
        const e = m.code !== null ? new AppError(m.code as ErrorCode) : appError('ERR_INTERNAL', `ingest worker: ${m.message}`);
        if (m.code !== null) e.message = m.message;
        if (m.stack) e.stack = m.stack;
        this.fail(e);
        return;
      }
    }
    this.#notify();
  }

  #answerKey(slot: Slot, site: string, date: string): void {
    const state = new Int32Array(slot.channel, 0, 2);
    const chars = new Uint16Array(slot.channel);
    let key: string;
    try {
      key = this.#keys.keyFor(site, date);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    if (KEY_CHARS + key.length > chars.length) {
      this.fail(new Error(`key of ${key.length} chars does not fit the worker key channel`));
      return;
    }
    for (let i = 0; i < key.length; i++) chars[KEY_CHARS + i] = key.charCodeAt(i);
    state[KEY_LENGTH] = key.length;
    Atomics.store(state, KEY_STATE, 1);
    Atomics.notify(state, KEY_STATE);
  }

  /** Fails every wait on this pool (a worker failed, or a commit: the reader must stop too). */
  fail(e: Error): void {
    this.#failure ??= e;
    this.#notify();
  }

  /** Batch numbers run on across inputs: results are matched to batches by them. */
  nextBatch(): number {
    return this.#nextBatch++;
  }

  #notify(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }

  /** Waits until `ready()` holds; re-checked whenever a message arrives or poke() is called. */
  async until(ready: () => boolean): Promise<void> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      if (ready()) return;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Wakes whoever waits on this pool (the reader waiting for a commit slot). */
  poke(): void {
    this.#notify();
  }

  #post(slot: Slot, m: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.#failure) throw this.#failure;
    slot.worker.postMessage(m, transfer);
  }

  /** Every worker applies this parser and routing to the lines that follow. */
  startInput(name: string, format: FormatSpec, routing: Routing, rejectSite: string): void {
    for (const s of this.#slots) this.#post(s, { type: 'input', name, format, routing, rejectSite });
  }

  /** Waits until the worker of `batch` may be sent more lines. */
  async room(batch: number): Promise<void> {
    const slot = this.#slots[batch % this.size]!;
    const ahead = this.size === 1 ? AHEAD_ONE : AHEAD_MANY;
    await this.until(() => slot.unacked < ahead);
  }

  /** Sends complete lines (copied into a buffer that is transferred, not cloned). */
  sendLines(batch: number, firstLine: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const slot = this.#slots[batch % this.size]!;
    slot.unacked += bytes.length;
    const data = new ArrayBuffer(bytes.length);
    new Uint8Array(data).set(bytes);
    this.#post(slot, { type: 'lines', batch, firstLine, data }, [data]);
  }

  endBatch(batch: number): void {
    this.#post(this.#slots[batch % this.size]!, { type: 'end', batch });
  }

  /** The result of `batch`, once its worker has sent it. */
  async result(batch: number): Promise<BatchResult> {
    await this.until(() => this.#results.has(batch));
    const r = this.#results.get(batch)!;
    this.#results.delete(batch);
    return r;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
