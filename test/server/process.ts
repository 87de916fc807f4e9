/** `weblog serve` as a real child process on a real port: for crashes, signals and its own output. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { REPO, weblog } from '../helpers/cli.js';
import { bearer, lastLine } from './helpers.js';

export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly base: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string | null>;
  /** True while the process has not exited. */
  alive(): boolean;
}

/** Polls `get` until its text matches `re` (rejects after `ms`, quoting the last text). */
export async function waitFor(get: () => string | Promise<string>, re: RegExp, ms: number): Promise<RegExpExecArray> {
  const t0 = Date.now();
  for (;;) {
    const text = await get();
    const m = re.exec(text);
    if (m) return m;
    if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${re}: ${text.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A store with customer `a`, the given sites, and an operator token. */
export async function storeWithOperator(store: string, sites: string[]): Promise<string> {
  await weblog(['customer', 'add', 'a', '--store', store]);
  for (const s of sites) await weblog(['site', 'add', s, '--customer', 'a', '--store', store]);
  return lastLine((await weblog(['token', 'create', '--operator', '--store', store])).stdout);
}

export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'helpers', 'entry.ts'), 'serve', '--port', '0', ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let out = '';
  let err = '';
  let done = false;
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string | null>((r) =>
    child.on('exit', (code, signal) => {
      done = true;
      r(code ?? signal);
    }),
  );
  const port = Number((await waitFor(() => err, /listening on http:\/\/127\.0\.0\.1:(\d+)/, 30_000))[1]);
  return { child, port, base: `http://127.0.0.1:${port}`, stdout: () => out, stderr: () => err, exited, alive: () => !done };
}

export interface PostResult {
  status: number;
  body: string;
}

/**
 * A POST whose body is written chunk by chunk with a pause between chunks (a slow shipper).
 * `abortAfterMs`: the client gives up (destroys the socket) that long after the first byte, like
 * `curl -m`; the promise then resolves with status 0. `finish: false`: the body is never ended
 * (a stalled shipper). Once an answer has arrived, write errors (the server closed) are ignored.
 */
export function slowPost(
  base: string,
  path: string,
  token: string,
  chunks: Buffer[],
  delayMs: number,
  opts: { abortAfterMs?: number; finish?: boolean; headers?: Record<string, string> } = {},
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (r: PostResult): void => {
      settled = true;
      resolve(r);
    };
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'text/plain', ...opts.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', () => done({ status: res.statusCode ?? 0, body }));
    });
    let aborted = false;
    req.on('error', (e) => {
      if (aborted) done({ status: 0, body: '' });
      else if (!settled) reject(e);
    });
    if (opts.abortAfterMs !== undefined) {
      setTimeout(() => {
        aborted = true;
        req.destroy();
      }, opts.abortAfterMs);
    }
    let i = 0;
    const next = (): void => {
      if (aborted || settled || req.destroyed) return;
      if (i >= chunks.length) {
        // An aborting or stalled client never finishes its body.
        if (opts.abortAfterMs === undefined && opts.finish !== false) req.end();
        return;
      }
      const ok = req.write(chunks[i++]);
      const go = (): void => void setTimeout(next, delayMs);
      if (ok) go();
      else req.once('drain', go);
    };
    next();
  });
}

export function chunksOf(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 0; o < buf.length; o += size) out.push(buf.subarray(o, o + size));
  return out;
}
