/**
 * Synchronous HTTP to ClickHouse, for the one caller that must be synchronous: KeyRing.keyFor is
 * called on the per-line path when a (site, day) is first seen, and the anonymiser cannot await.
 *
 * A worker thread does the fetch; the calling thread blocks in Atomics.wait until the worker
 * flips a shared flag, then takes the answer with receiveMessageOnPort. The worker is plain JS
 * (eval) so it runs the same under node, tsx and vitest. Used once per new site-day per process,
 * never per line.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

const WORKER = `
const { workerData } = require('node:worker_threads');
const { port, flag, base, auth } = workerData;
const done = new Int32Array(flag);
port.on('message', async (req) => {
  let reply;
  try {
    const u = new URL(base);
    for (const [k, v] of Object.entries(req.params)) u.searchParams.set(k, v);
    const res = await fetch(u, { method: 'POST', body: req.body, headers: { Authorization: auth } });
    const text = await res.text();
    reply = res.ok ? { ok: true, text } : { ok: false, error: text.trim().slice(0, 500) || 'HTTP ' + res.status };
  } catch (e) {
    reply = { ok: false, error: String(e && e.cause ? e.cause.message || e.cause : e && e.message) };
  }
  port.postMessage(reply);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
`;

export interface SyncHttp {
  /** POST `body` (the query) with URL parameters; returns the response text or throws. */
  post(body: string, params?: Record<string, string>): string;
  sleep(ms: number): void;
  close(): void;
}

export function createSyncHttp(base: string, username: string, password: string, timeoutMs = 60_000): SyncHttp {
  const { port1, port2 } = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  const done = new Int32Array(flag);
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  // execArgv: [] so flags of the parent (e.g. --input-type=module, loaders) cannot turn the CommonJS worker into something else.
  const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { port: port2, flag, base, auth }, transferList: [port2] });
  worker.unref();
  const nap = new Int32Array(new SharedArrayBuffer(4));
  return {
    post(body, params = {}) {
      Atomics.store(done, 0, 0);
      port1.postMessage({ body, params });
      if (Atomics.wait(done, 0, 0, timeoutMs) === 'timed-out') throw new Error(`ClickHouse did not answer within ${timeoutMs} ms`);
      const msg = receiveMessageOnPort(port1)?.message as { ok: boolean; text?: string; error?: string } | undefined;
      if (!msg) throw new Error('no answer from the ClickHouse worker');
      if (!msg.ok) throw new Error(msg.error ?? 'ClickHouse request failed');
      return msg.text ?? '';
    },
    sleep(ms) {
      Atomics.wait(nap, 0, 0, ms);
    },
    close() {
      port1.close();
      void worker.terminate();
    },
  };
}
