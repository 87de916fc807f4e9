/**
 * Runs an ingest: for each input, open it (resuming from its checkpoint), stream it through
 * LineGuard → split2 (latin1) whose mapper runs the whole per-line path synchronously, and
 * commit a batch (deltas + checkpoint, one transaction) every `batchLines` lines. The batch
 * writer is a Writable with a high-water mark of one batch, so while the store is committing,
 * split2 and the file reader wait: memory stays bounded by one batch whatever the input size.
 */
import { createReadStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Aggregator } from '../aggregate/aggregator.js';
import type { Batch, Checkpoint, DayDelta, RejectDelta, SiteMeta } from '../aggregate/delta.js';
import { appError, isAppError } from '../core/errors.js';
import { collectIfOverBudget } from '../core/memory.js';
import type { RejectReason } from '../core/record.js';
import { detectFormat, formatSpecOf, type LineParser } from '../parse/index.js';
import { inspectFile, matchesPrefix, openFile, openStdin, type FileInfo } from '../source/file.js';
import { ChangeWaiter, FileFollower } from '../source/follow.js';
import { LineGuard } from '../source/line-guard.js';
import { createLatin1Splitter, MAX_LINE_BYTES } from '../source/line-splitter.js';
import type { OpenedSource } from '../source/source.js';
import type { RawSpool } from '../store/raw-spool.js';
import type { Store } from '../store/store.js';
import type { LineProcessor, Routing } from './line-processor.js';
import type { IngestWorkers } from './parallel/pool.js';
import type { BatchResult } from './parallel/protocol.js';
import { readParallel } from './parallel/read.js';

export interface IngestInput {
  /** A file path, or '-' for stdin; with `stream`, only a name for messages. */
  readonly path: string;
  /** For per-file routing: the site of this file; otherwise null. */
  readonly site: string | null;
  /**
   * An already open byte stream (e.g. an HTTP request body). It has no identity, so it is never
   * skipped or resumed: the caller owns delivery semantics.
   */
  readonly stream?: Readable;
  /** Open this instead of `path` (follow mode: /proc/self/fd/N of a file rotated away). */
  readonly readPath?: string;
  /** Stop before this byte offset (follow mode: after the last complete line); null/absent = EOF. */
  readonly end?: number | null;
}

export interface IngestPlan {
  readonly inputs: readonly IngestInput[];
  /** A parser, or 'auto' to detect per input from its first lines. */
  readonly parser: LineParser | 'auto';
  readonly routing: Routing;
  readonly processor: LineProcessor;
  readonly aggregator: Aggregator;
  readonly store: Store;
  /** Where raw lines of sites with a raw window go; null when no site keeps any. */
  readonly rawSpool: RawSpool | null;
  readonly siteMeta: (site: string) => SiteMeta;
  readonly batchLines: number;
  /** Worker threads that run the per-line path (null: this thread runs it). */
  readonly workers?: IngestWorkers | null;
  readonly onProgress?: (p: Progress) => void;
  /** Told what was detected / skipped; never given a line's content. */
  readonly onNotice?: (msg: string) => void;
  /**
   * Stop early (SIGINT/SIGTERM): reading ends at the next line boundary, the lines read so far
   * are committed with their checkpoint, and runIngest returns normally with `stopped` set.
   */
  readonly signal?: AbortSignal;
}

export interface FollowSettings {
  /** Wake-up interval of the stat poll (fs.watch wakes it earlier). */
  readonly pollMs: number;
  /** Followed lines are committed at least this often while they keep coming. */
  readonly commitIntervalMs: number;
  /** Read rotated history (`.1`, `.gz` …) once at start. */
  readonly history: boolean;
  /** Called after every pass that committed something (tests, progress). */
  readonly onPass?: (s: IngestSummary) => void;
}

export interface Progress {
  readonly source: string;
  readonly lines: number;
  readonly bytesRead: number;
  readonly bytesTotal: number | null;
}

export interface IngestSummary {
  lines: number;
  parsed: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Up to five `file:line` places per reason. */
  samples: Partial<Record<RejectReason, string[]>>;
  sites: string[];
  formats: Record<string, string>;
  /** Inputs whose content was already fully ingested. */
  unchanged: string[];
  /** True when a signal ended the run early (what was read is committed). */
  stopped?: boolean;
}

const SAMPLE_LINES = 5;
const DETECT_BYTES = 64 * 1024;

/** Reads up to `want` bytes from the start of a stream and gives back a stream that still has them. */
async function peek(stream: Readable, want: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let have = 0;
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  while (have < want) {
    const r = await it.next();
    if (r.done) break;
    chunks.push(r.value);
    have += r.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}

function sampleLines(head: Buffer): string[] {
  const text = head.toString('latin1');
  const lines = text.split('\n');
  if (lines.length > 1) lines.pop(); // possibly cut in the middle
  return lines.slice(0, 200);
}

const ABORTED = Symbol('aborted');

/**
 * The source's chunks until `signal` fires, then up to the next line boundary only. A file
 * (`exact`) is never cut inside a line, so its checkpoint stays on a boundary; an unrepeatable
 * stream waiting for input is cut at once (what arrived of a line is flushed as a line, as at EOF).
 */
async function* untilStopped(stream: Readable, signal: AbortSignal | undefined, exact: boolean, underlying: Readable): AsyncGenerator<Buffer> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let atBoundary = true;
  let early = true;
  try {
    for (;;) {
      const r = signal !== undefined && (atBoundary || !exact) ? await nextOrAbort(it, signal) : await it.next();
      if (r === ABORTED) return;
      if (r.done) {
        early = false;
        return;
      }
      const chunk: Buffer = r.value;
      if (chunk.length === 0) continue;
      if (signal?.aborted) {
        const nl = chunk.indexOf(10);
        if (nl !== -1) {
          yield chunk.subarray(0, nl + 1);
          return;
        }
      }
      atBoundary = chunk[chunk.length - 1] === 10;
      yield chunk;
    }
  } finally {
    if (early) {
      // Stopping before EOF: close the source. Not awaiting return(): a wrapping generator
      // (peek's) waiting on an idle stdin would only return after stdin's next chunk.
      underlying.destroy();
      void it.return?.().catch(() => undefined);
    }
  }
}

/**
 * The next chunk, or ABORTED. Not Promise.race against one long-lived abort promise: every race
 * would leave a reaction on it that keeps its chunk alive (a 200 MB line on stdin grew RSS by 200 MB).
 */
function nextOrAbort(it: AsyncIterator<Buffer>, signal: AbortSignal): Promise<IteratorResult<Buffer> | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    it.next().then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function newSummary(): IngestSummary {
  return { lines: 0, parsed: 0, rejected: {}, samples: {}, sites: [], formats: {}, unchanged: [] };
}

export async function runIngest(plan: IngestPlan): Promise<IngestSummary> {
  const summary = newSummary();
  const sites = new Set<string>();
  for (const input of plan.inputs) {
    if (plan.signal?.aborted) break;
    await ingestOne(plan, input, summary, sites);
  }
  if (plan.signal?.aborted) summary.stopped = true;
  summary.sites = [...sites].sort();
  return summary;
}

/**
 * Follow mode (`tail -F`): ingests what the files hold, then keeps reading what is appended,
 * across logrotate's rename+create and copytruncate (source/follow.ts decides what to read),
 * until `plan.signal` fires. Every pass commits what it read, so followed lines are in the
 * store within about `commitIntervalMs`; a partial last line waits for its newline.
 */
export async function runFollow(plan: IngestPlan, opts: FollowSettings): Promise<IngestSummary> {
  const signal = plan.signal ?? new AbortController().signal;
  const summary = newSummary();
  const sites = new Set<string>();
  const files = plan.inputs.filter((i) => i.stream === undefined && i.path !== '-');
  if (files.length !== plan.inputs.length) throw appError('ERR_USAGE', '--follow reads files: stdin and streams cannot be followed');
  const drainQuietMs = Math.max(1000, 2 * opts.commitIntervalMs);
  const followers = files.map((f) => ({ input: f, follower: new FileFollower(f.path, { drainQuietMs, history: opts.history }) }));
  // The format is detected once per followed path: a pass may see a single appended line.
  const parsers = new Map<string, LineParser>();
  const waiter = new ChangeWaiter(files.map((f) => f.path));
  const signatures = new Map<string, string>();
  let lastPass = 0;
  try {
    for (let first = true; ; first = false) {
      if (!first) {
        await waiter.wait(opts.pollMs, signal);
        if (signal.aborted) break;
        if (Date.now() - lastPass < opts.commitIntervalMs) continue;
      }
      let changed = first;
      for (const { input, follower } of followers) {
        const sig = await follower.signature();
        if (sig !== signatures.get(input.path) || sig.includes('draining')) changed = true;
        signatures.set(input.path, sig);
      }
      if (!changed) continue;
      lastPass = Date.now();
      const before = summary.lines;
      for (const { input, follower } of followers) {
        const reads = await follower.poll();
        for (const r of reads) {
          if (signal.aborted) break;
          const p = plan.parser === 'auto' ? parsers.get(input.path) : plan.parser;
          // Followed passes are small and frequent: not worth a trip through the workers.
          const res = await ingestOne({ ...plan, workers: null, ...(p ? { parser: p } : {}) }, { path: r.name, site: input.site, readPath: r.readPath, end: r.end }, summary, sites);
          if (res.parser && plan.parser === 'auto' && !parsers.has(input.path)) parsers.set(input.path, res.parser);
          follower.reached(r, res.offset);
        }
        await follower.release();
        if (signal.aborted) break;
      }
      if (summary.lines !== before) opts.onPass?.(summary);
      if (first) plan.onNotice?.(`following ${files.length} file(s); commit interval ${opts.commitIntervalMs / 1000} s; SIGINT/SIGTERM stops`);
      if (signal.aborted) break;
    }
  } finally {
    waiter.close();
    for (const { follower } of followers) await follower.close();
  }
  summary.stopped = true;
  summary.sites = [...sites].sort();
  return summary;
}

interface OneResult {
  /** The parser used; null when nothing was read. */
  parser: LineParser | null;
  /** Content offset reached (the checkpoint's offset); 0 for unrepeatable streams. */
  offset: number;
}

async function ingestOne(plan: IngestPlan, input: IngestInput, summary: IngestSummary, sites: Set<string>): Promise<OneResult> {
  const routing: Routing = input.site !== null ? { type: 'fixed', site: input.site } : plan.routing;
  const scope = routing.type === 'fixed' ? `site:${routing.site}` : 'vhost';
  const rejectSite = routing.type === 'fixed' ? routing.site : '';

  let src: OpenedSource;
  let resumeLines = 0;
  if (input.stream !== undefined) {
    src = { name: input.path, stream: input.stream, identity: null, sizeOnDisk: null, skipBytes: 0, startOffset: 0, bytesRead: () => 0 };
  } else if (input.path === '-') {
    src = openStdin();
  } else {
    const info = await inspectFile(input.readPath ?? input.path);
    let from: Checkpoint | null = null;
    for (const cp of await plan.store.checkpoints(scope)) {
      if (await matchesPrefix(info, cp.fpLength, cp.fpHash)) {
        from = cp;
        break;
      }
    }
    const end = input.end ?? null;
    const limit = end !== null && !info.gzip ? Math.min(end, info.size) : info.size;
    if (from !== null && !info.gzip && from.offset >= limit) {
      // Follow passes ask often; only a one-off ingest says so.
      if (end === null) {
        summary.unchanged.push(input.path);
        plan.onNotice?.(`${input.path}: already ingested (${from.lines} lines), nothing new`);
      }
      return { parser: null, offset: from.offset };
    }
    src = end !== null && !info.gzip ? openFileRange(info, input.path, from?.offset ?? 0, end) : { ...openFile(info, from?.offset ?? 0), name: input.path };
    resumeLines = from?.lines ?? 0;
    if (from !== null) plan.onNotice?.(`${input.path}: resuming after line ${from.lines}`);
  }

  let stream = src.stream;
  let parser: LineParser;
  if (plan.parser === 'auto') {
    const p = await peek(stream, DETECT_BYTES);
    stream = p.stream;
    if (p.head.length === 0) {
      // Empty input: nothing to detect and nothing to count.
      plan.onNotice?.(`${src.name}: empty`);
      return { parser: null, offset: src.startOffset };
    }
    const sample = sampleLines(p.head);
    const found = detectFormat(sample);
    if (found === null) throw appError('ERR_PARSE_DETECT_FAILED', sample.length);
    parser = found.parser;
    plan.onNotice?.(`${src.name}: detected format ${found.name} (${found.parsed} of the first ${sample.length} lines parsed)`);
  } else parser = plan.parser;
  summary.formats[src.name] = parser.format;
  if (routing.type === 'vhost' && !parser.hasVhost) {
    throw appError('ERR_USAGE', `format ${parser.format} has no virtual host field: routing by vhost needs one (or give --site)`);
  }

  const guard = new LineGuard(MAX_LINE_BYTES);
  // Offsets count decompressed bytes from the start of the content.
  const base = src.identity !== null && src.skipBytes === 0 ? src.startOffset : 0;
  let consumed = 0;
  let skip = src.skipBytes;
  let lineNo = resumeLines;
  const identity = src.identity;
  const agg = plan.aggregator;
  const processor = plan.processor;
  const batchLines = plan.batchLines;

  /** Site metadata for every site a batch touches (also sites with rejected lines only). */
  const metaOf = (days: readonly DayDelta[], rejected: readonly RejectDelta[]): Map<string, SiteMeta> => {
    const meta = new Map<string, SiteMeta>();
    for (const d of days) {
      if (!meta.has(d.site)) meta.set(d.site, plan.siteMeta(d.site));
      sites.add(d.site);
    }
    for (const r of rejected) if (r.site !== '' && !meta.has(r.site)) meta.set(r.site, plan.siteMeta(r.site));
    return meta;
  };
  const checkpointAt = (offset: number, lines: number): Checkpoint | null =>
    identity === null ? null : { scope, fpLength: identity.fpLength, fpHash: identity.fpHash, dev: identity.dev, ino: identity.ino, offset, lines };
  const sample = (reason: RejectReason, at: number): void => {
    const s = (summary.samples[reason] ??= []);
    if (s.length < SAMPLE_LINES) s.push(`${src.name}:${at}`);
  };

  const makeBatch = (final: boolean): Batch | undefined => {
    if (agg.pending === 0 && !final) return undefined;
    const { days, rejected } = agg.drain();
    const checkpoint = checkpointAt(base + (final ? Math.min(consumed, guard.bytesIn) : consumed), lineNo);
    // Raw lines are on disk (fsynced) before the batch that counts them commits.
    const raw = plan.rawSpool ? plan.rawSpool.flush() : [];
    return { days, sites: metaOf(days, rejected), rejected, checkpoint, raw, lines: lineNo };
  };

  const onLine = (line: string): Batch | undefined => {
    const len = line.length;
    if (skip > 0) {
      skip -= len + 1;
      consumed += len + 1;
      return undefined;
    }
    consumed += len + 1 + (len > MAX_LINE_BYTES ? guard.takeDropped() : 0);
    lineNo++;
    summary.lines++;
    const reason = processor.process(line, parser, routing, rejectSite);
    if (reason === null) summary.parsed++;
    else {
      summary.rejected[reason] = (summary.rejected[reason] ?? 0) + 1;
      sample(reason, lineNo);
    }
    return agg.pending >= batchLines ? makeBatch(false) : undefined;
  };

  const writer = (): Writable =>
    new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(batch: Batch, _enc, cb) {
        plan.store.commit(batch).then(() => {
          collectIfOverBudget();
          cb();
        }, cb);
      },
    });

  /** With worker threads: a worker's batch result (null: an empty final batch) committed in order. */
  const commitResult = async (r: BatchResult | null, offset: number, lines: number): Promise<void> => {
    if (r !== null) {
      summary.lines += r.lines;
      summary.parsed += r.parsed;
      for (const [reason, n] of Object.entries(r.reasons) as [RejectReason, number][]) {
        summary.rejected[reason] = (summary.rejected[reason] ?? 0) + n;
        for (const at of r.samples[reason] ?? []) sample(reason, at);
      }
      for (const b of r.raw) plan.rawSpool?.appendBlock(b.site, b.day, b.text, b.lines);
    }
    const days = r?.days ?? [];
    const rejected = r?.rejected ?? [];
    const raw = plan.rawSpool ? plan.rawSpool.flush() : [];
    await plan.store.commit({ days, sites: metaOf(days, rejected), rejected, checkpoint: checkpointAt(base + offset, lines), raw, lines });
    collectIfOverBudget();
  };

  const progress = (): void => plan.onProgress?.({ source: src.name, lines: lineNo, bytesRead: src.bytesRead(), bytesTotal: src.sizeOnDisk });
  const timer = plan.onProgress ? setInterval(progress, 500) : undefined;
  timer?.unref();
  const source = untilStopped(stream, plan.signal, identity !== null, src.stream);
  try {
    if (plan.workers) {
      const pool = plan.workers;
      pool.startInput(src.name, formatSpecOf(parser.format), routing, rejectSite);
      let run: Promise<{ consumed: number }> | null = null;
      try {
        await pipeline(source, guard, (chunks: AsyncIterable<Buffer>) => {
          run = readParallel({ pool, chunks, guard, batchLines, skipBytes: skip, firstLine: lineNo, commit: commitResult, onLines: (n) => (lineNo = n) });
          return run;
        });
      } catch (e) {
        // pipeline() rejects as soon as the source fails; the batches ended before the failure
        // are still being committed (as a single thread would have): wait for them.
        await (run as Promise<unknown> | null)?.catch(() => undefined);
        throw e;
      }
      consumed = (await run!).consumed;
    } else await pipeline(source, guard, createLatin1Splitter<Batch>(onLine, () => makeBatch(true)), writer());
  } catch (e) {
    if (isAppError(e)) throw e;
    throw appError('ERR_SOURCE_READ', src.name, (e as Error).message);
  } finally {
    if (timer) clearInterval(timer);
    progress();
  }
  return { parser, offset: base + Math.min(consumed, guard.bytesIn) };
}

/** A plain file from `offset` up to (not including) `end`. */
function openFileRange(info: FileInfo, name: string, offset: number, end: number): OpenedSource {
  const start = Math.min(offset, end);
  // createReadStream's `end` is inclusive; an empty range still needs a stream that ends.
  const raw = end > start ? createReadStream(info.path, { start, end: end - 1, highWaterMark: 256 * 1024 }) : Readable.from([]);
  return {
    name,
    stream: raw,
    identity: info.identity,
    sizeOnDisk: info.size,
    skipBytes: 0,
    startOffset: start,
    bytesRead: () => start + ('bytesRead' in raw ? (raw as { bytesRead: number }).bytesRead : 0),
  };
}
