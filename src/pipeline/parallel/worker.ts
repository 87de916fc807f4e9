/**
 * A worker thread of a parallel ingest: runs the same per-line path as a single-threaded ingest
 * (parse → enrich → anonymise → aggregate) over the batches the main thread sends it, and sends
 * each batch's drained deltas back. It owns no store and writes no file: the main thread commits
 * batches in order, so the result is the same as one thread's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { KeyRing } from '../../anonymise/index.js';
import { isAppError } from '../../core/errors.js';
import { collectIfOverBudget, limitHeapGrowth } from '../../core/memory.js';
import type { RejectReason } from '../../core/record.js';
import { createParser, type FormatSpec, type LineParser } from '../../parse/index.js';
import { buildStages } from '../build.js';
import type { Routing } from '../line-processor.js';
import { KEY_CHARS, KEY_LENGTH, KEY_STATE, type FromWorker, type RawBlock, type ToWorker, type WorkerInit } from './protocol.js';

const port = parentPort!;
const init = workerData as WorkerInit;

const send = (m: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? []);

/**
 * Keys come from the main thread's key ring, synchronously (the anonymiser asks in the middle of
 * a line): post the request, sleep on the shared channel until the main thread has written the
 * key. Once per site and day per worker.
 */
function keyRingProxy(channel: SharedArrayBuffer): KeyRing {
  const state = new Int32Array(channel, 0, 2);
  const chars = new Uint16Array(channel);
  const cache = new Map<string, string>();
  const unsupported = (): never => {
    throw new Error('a worker key ring only hands out keys');
  };
  return {
    keyFor(site, date) {
      const id = `${site}\u0000${date}`;
      let k = cache.get(id);
      if (k !== undefined) return k;
      send({ type: 'key', site, date });
      Atomics.wait(state, KEY_STATE, 0);
      const len = state[KEY_LENGTH]!;
      k = String.fromCharCode(...chars.subarray(KEY_CHARS, KEY_CHARS + len));
      Atomics.store(state, KEY_STATE, 0);
      cache.set(id, k);
      return k;
    },
    destroyBefore: unsupported,
    alive: unsupported,
    close() {},
  };
}

/** Raw-window lines of the current batch, per site and day, in line order. */
class RawCollector {
  #files = new Map<string, { site: string; day: string; lines: string[] }>();

  append(site: string, day: string, line: string): void {
    const key = `${site}\u0000${day}`;
    let f = this.#files.get(key);
    if (f === undefined) {
      f = { site, day, lines: [] };
      this.#files.set(key, f);
    }
    // A slice keeps its received chunk alive until the batch ends: bounded by one batch, as
    // copies would be.
    f.lines.push(line);
  }

  take(): RawBlock[] {
    const out = [...this.#files.values()].map((f) => ({ site: f.site, day: f.day, text: f.lines.join('\n'), lines: f.lines.length }));
    this.#files = new Map();
    return out;
  }
}

async function main(): Promise<void> {
  limitHeapGrowth();
  const raw = init.raw ? new RawCollector() : null;
  const stages = await buildStages(init.settings, keyRingProxy(init.keyChannel), raw ? (s, d, l) => raw.append(s, d, l) : null, null, init.today);
  const parsers = new Map<string, LineParser>();
  let input: { name: string; parser: LineParser; routing: Routing; rejectSite: string } | null = null;
  let stats = { lines: 0, parsed: 0, reasons: {} as Partial<Record<RejectReason, number>>, samples: {} as Partial<Record<RejectReason, number[]>> };

  const parserFor = (f: FormatSpec): LineParser => {
    const key = `${f.format}\u0000${f.logFormat ?? ''}`;
    let p = parsers.get(key);
    if (p === undefined) {
      p = createParser(f);
      parsers.set(key, p);
    }
    return p;
  };

  const onLines = (firstLine: number, data: ArrayBuffer): void => {
    const text = Buffer.from(data).toString('latin1');
    const { processor } = stages;
    const { parser, routing, rejectSite } = input!;
    let lineNo = firstLine;
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) break;
      const reason = processor.process(text.slice(pos, nl), parser, routing, rejectSite);
      stats.lines++;
      if (reason === null) stats.parsed++;
      else {
        stats.reasons[reason] = (stats.reasons[reason] ?? 0) + 1;
        const s = (stats.samples[reason] ??= []);
        if (s.length < 5) s.push(lineNo);
      }
      lineNo++;
      pos = nl + 1;
    }
  };

  port.on('message', (m: ToWorker) => {
    try {
      switch (m.type) {
        case 'input':
          input = { name: m.name, parser: parserFor(m.format), routing: m.routing, rejectSite: m.rejectSite };
          break;
        case 'lines':
          onLines(m.firstLine, m.data);
          send({ type: 'ack', bytes: m.data.byteLength });
          break;
        case 'end': {
          const { days, rejected } = stages.aggregator.drain();
          send({ type: 'batch', batch: m.batch, days, rejected, ...stats, raw: raw ? raw.take() : [] });
          stats = { lines: 0, parsed: 0, reasons: {}, samples: {} };
          collectIfOverBudget();
          break;
        }
      }
    } catch (e) {
      const err = e as Error;
      send({ type: 'error', code: isAppError(e) ? e.code : null, message: err.message, ...(err.stack ? { stack: err.stack } : {}) });
    }
  });
}

main().catch((e: unknown) => {
  const err = e as Error;
  send({ type: 'error', code: isAppError(e) ? e.code : null, message: err.message, ...(err.stack ? { stack: err.stack } : {}) });
});
