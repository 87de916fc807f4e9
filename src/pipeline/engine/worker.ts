/**
 * A worker thread of an ingest: runs the line path (line-path.ts) over the blocks the main thread
 * sends, and at each batch end sends back its part. It owns no store and writes no file; keys come
 * from the main thread's key ring by message. See executor.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { KeyRing, KeyRequest, SiteDayKey } from '../../anonymise/index.js';
import { isAppError } from '../../core/errors.js';
import { collectIfOverBudget, limitHeapGrowth } from '../../core/memory.js';
import { createByteParser, type ByteLineParser, type FormatSpec } from '../../parse/index.js';
import type { FromWorker, ToWorker, WorkerInit } from './executor.js';
import { LinePath, type PartResult } from './line-path.js';
import { buildStages } from './stages.js';

const port = parentPort!;
const init = workerData as WorkerInit;

const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/** The main thread's key ring, by message: one request per batch. */
function keyRingProxy(): { ring: KeyRing; answer: (id: number, keys: SiteDayKey[] | null, error?: string) => void } {
  let next = 0;
  const waiting = new Map<number, { resolve: (k: SiteDayKey[]) => void; reject: (e: Error) => void }>();
  const unsupported = async (): Promise<never> => {
    throw new Error('a worker key ring only hands out keys');
  };
  return {
    ring: {
      keysFor(reqs: readonly KeyRequest[], today: string) {
        const id = next++;
        send({ type: 'keys', id, reqs: [...reqs], today });
        return new Promise<SiteDayKey[]>((resolve, reject) => waiting.set(id, { resolve, reject }));
      },
      destroyExpired: unsupported,
      alive: unsupported,
      async close() {},
    },
    answer(id, keys, error) {
      const w = waiting.get(id);
      waiting.delete(id);
      if (keys === null) w?.reject(new Error(error ?? 'no keys'));
      else w?.resolve(keys);
    },
  };
}

/** The part's typed arrays move to the main thread instead of being copied. */
function transferables(r: PartResult): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | undefined): void => {
    if (a !== undefined && a.byteLength > 0) out.add(a.buffer as ArrayBuffer);
  };
  const p = r.part;
  add(p.keys.bytes);
  add(p.keys.offsets);
  add(p.day);
  add(p.totals);
  for (const l of p.lists) {
    if (l === null) continue;
    add(l.start);
    add(l.key);
    add(l.hits);
    add(l.bytes);
    add(l.timeSum);
    add(l.timeMax);
  }
  for (const a of Object.values(p.visits)) add(a as ArrayBufferView);
  for (const a of Object.values(p.others)) add(a as ArrayBufferView);
  for (const b of r.raw) {
    add(b.bytes);
    add(b.lineNos);
    add(b.ends);
  }
  return [...out];
}

async function main(): Promise<void> {
  limitHeapGrowth();
  const keys = keyRingProxy();
  const stages = await buildStages(init.settings, keys.ring, { raw: init.raw, today: init.today, onAttack: null });
  const path = new LinePath(stages);
  const parsers = new Map<string, ByteLineParser>();
  const parserFor = (f: FormatSpec): ByteLineParser => {
    const key = `${f.format}\u0000${f.logFormat ?? ''}`;
    let p = parsers.get(key);
    if (p === undefined) {
      p = createByteParser(f);
      parsers.set(key, p);
    }
    return p;
  };
  // Messages run one at a time, in order: a drain must see every block sent before it.
  let queue = Promise.resolve();
  const handle = async (m: ToWorker): Promise<void> => {
    switch (m.type) {
      case 'input':
        stages.today = m.today;
        path.setInput(parserFor(m.spec.format), m.spec.routing);
        break;
      case 'sites':
        stages.updateSites(m.sites);
        break;
      case 'discard':
        path.discard();
        send({ type: 'discarded', id: m.id });
        break;
      case 'block':
        path.run(m.block, m.from, m.ends, m.n, m.firstLine);
        send({ type: 'ack', bytes: m.block.byteLength });
        break;
      case 'drain': {
        stages.today = m.today;
        const result = await path.drain(m.today);
        send({ type: 'part', batch: m.batch, result }, transferables(result));
        collectIfOverBudget();
        break;
      }
      case 'keys':
        break;
    }
  };
  port.on('message', (m: ToWorker) => {
    // Key answers are needed by the drain that is waiting in the queue: never queue them.
    if (m.type === 'keys') {
      keys.answer(m.id, m.keys, m.error);
      return;
    }
    queue = queue.then(() => handle(m)).catch((e: unknown) => {
      const err = e as Error;
      send({ type: 'error', code: isAppError(e) ? e.code : null, message: err.message, ...(err.stack ? { stack: err.stack } : {}) });
    });
  });
}

main().catch((e: unknown) => {
  const err = e as Error;
  send({ type: 'error', code: isAppError(e) ? e.code : null, message: err.message, ...(err.stack ? { stack: err.stack } : {}) });
});
