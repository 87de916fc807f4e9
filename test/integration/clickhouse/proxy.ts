/**
 * An HTTP proxy on loopback between weblog and a real ClickHouse server: it records every request
 * (what SQL and which query parameters went over the wire) and fails, delays or drops requests on
 * command (the fault tests). Point a store URL at it with `via`.
 *
 * Run weblog in a child process (weblogProcess) when it goes through the proxy: its own exit
 * codes, signals and stderr are what the fault tests look at.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';

/**
 * pass: forward; fail-inserts: answer 500 to data inserts; down: drop every connection; slow:
 * forward after 150 ms; slow-keys: the key ring's requests after 400 ms; hold-keys: the key ring's
 * requests wait until the mode changes (a key server that stopped answering).
 */
export type Mode = 'pass' | 'fail-inserts' | 'down' | 'slow' | 'slow-keys' | 'hold-keys';

/** One request as the server would read it. */
export interface Recorded {
  /** The SQL text: the `query` URL parameter when there is one (the body is then data), else the body. */
  readonly sql: string;
  /** `param_<name>` URL parameters (bound query parameters), without the prefix. */
  readonly params: Readonly<Record<string, string>>;
  /** The other URL parameters: settings (and `database`, `query_id` …). */
  readonly settings: Readonly<Record<string, string>>;
}

export interface ChProxy {
  readonly server: Server;
  readonly port: number;
  setMode(m: Mode): void;
  /** Data inserts seen so far (not the key ring's). */
  inserts(): number;
  /** Batches committed so far (commit rows inserted). */
  commits(): number;
  /** Key ring requests seen so far, and those held right now (hold-keys). */
  keyRequests(): number;
  held(): number;
  readonly requests: readonly Recorded[];
  close(): Promise<void>;
}

export function chProxy(target: URL): Promise<ChProxy> {
  let mode: Mode = 'pass';
  let inserts = 0;
  let commits = 0;
  let keyRequests = 0;
  const held: (() => void)[] = [];
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://proxy');
      const inUrl = url.searchParams.get('query');
      const sql = inUrl ?? body.toString('utf8');
      const params: Record<string, string> = {};
      const settings: Record<string, string> = {};
      for (const [k, v] of url.searchParams) {
        if (k.startsWith('param_')) params[k.slice('param_'.length)] = v;
        else if (k !== 'query') settings[k] = v;
      }
      requests.push({ sql, params, settings });
      // Data inserts only: the key ring (`<db>_keys`) has its own failure path (ERR_STORE_OPEN).
      const isKeys = /_keys\b|epoch_secret/.test(sql.slice(0, 2000));
      const isInsert = /INSERT\s+INTO/i.test(sql.slice(0, 300)) && !isKeys;
      if (isInsert) inserts++;
      if (isInsert && /\.commits\b/.test(sql.slice(0, 300))) commits++;
      if (isKeys) keyRequests++;
      if (mode === 'down') {
        req.socket.destroy();
        return;
      }
      if (mode === 'fail-inserts' && isInsert) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Code: 241. DB::Exception: injected fault (Memory limit exceeded)');
        return;
      }
      const forward = (): void => {
        const up = httpRequest({ host: target.hostname, port: Number(target.port), path: req.url, method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on('error', () => res.destroy());
        up.end(body);
      };
      if (mode === 'slow') setTimeout(forward, 150);
      else if (mode === 'slow-keys' && isKeys) setTimeout(forward, 400);
      else if (mode === 'hold-keys' && isKeys) held.push(forward);
      else forward();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        server,
        port,
        setMode: (m) => {
          mode = m;
          if (m !== 'hold-keys') for (const f of held.splice(0)) f();
        },
        inserts: () => inserts,
        commits: () => commits,
        keyRequests: () => keyRequests,
        held: () => held.length,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive sockets of finished children would hold close() open until they time out.
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** `url` (clickhouse://…) with its host replaced by the proxy's. */
export function via(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
