/**
 * Runs an ingest: for each input, open it (resuming from its checkpoint), cut it into blocks of
 * lines and batches (engine/cutter.ts), run the line path on them (engine/executor.ts: inline or
 * in worker threads), and commit each batch with the input's new position in one transaction
 * (the commit step below). Batches commit strictly in order, one at a time; the reader may be at
 * most one batch ahead of the commit, so memory is bounded by two batches whatever the input.
 *
 * Exactly once: a batch moves its source from the position it was read from to where it ends,
 * and a store takes it only if the source still stands there (compare-and-set). A second ingest
 * of the same bytes, overlapping this one, therefore adds nothing: its first batch is refused,
 * and it stops reading that input (ERR_SOURCE_BUSY, reported in the summary).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CheckpointMove, RawFileSize, SiteMeta } from '../aggregate/index.js';
import { appError, isAppError } from '../core/errors.js';
import { collectIfOverBudget } from '../core/memory.js';
import { count, counted } from '../core/numbers.js';
import type { RejectReason } from '../core/record.js';
import { createByteParser, detectOrExplain, formatSpecOf, noLineMatches, type ByteLineParser, type Detection, type FormatSpec } from '../parse/index.js';
import { ChangeWaiter, completeLines, FileFollower, type FileInfo, inspectFile, LineGuard, matchesPrefix, MAX_LINE_BYTES, type OpenedSource, openFile, openStdin } from '../source/index.js';
import type { RawSpool, Store } from '../store/index.js';
import { cutInput } from './engine/cutter.js';
import type { Executor } from './engine/executor.js';
import { addCounts, mergeRawBlocks, newCounts, type PartResult, type Routing } from './engine/line-path.js';

export type { Routing };

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
  /** A format, or 'auto' to detect per input from its first lines. */
  readonly format: FormatSpec | 'auto';
  readonly routing: Routing;
  readonly executor: Executor;
  readonly store: Store;
  /** Where raw lines of sites with a raw window go; null when no site keeps any. */
  readonly rawSpool: RawSpool | null;
  /** What a report says about the data of a site (its policy, attributions, raw window). */
  readonly siteMeta: (site: string) => SiteMeta;
  readonly batchLines: number;
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
  /** Blank lines (skipped, not rejected). */
  blank: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Up to five `file:line` places per reason. */
  samples: Partial<Record<RejectReason, string[]>>;
  sites: string[];
  formats: Record<string, string>;
  /** Inputs whose content was already fully ingested. */
  unchanged: string[];
  /** Inputs another ingest was reading at the same time: this run stopped reading them. */
  busy: string[];
  /** True when a signal ended the run early (what was read is committed). */
  stopped?: boolean;
}

const SAMPLE_LINES = 5;
const DETECT_BYTES = 64 * 1024;

/**
 * Reads up to `want` bytes from the start of a stream and gives back a stream that still has them.
 * A read error (a truncated .gz) ends the head early (`failed`) and is thrown again by the returned
 * stream after the head, where the ingest reports it as ERR_SOURCE_READ.
 */
async function peek(stream: Readable, want: number): Promise<{ head: Buffer; stream: Readable; failed: boolean; error: { e: unknown } | null }> {
  const chunks: Buffer[] = [];
  let have = 0;
  let error: { e: unknown } | null = null;
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  while (have < want) {
    let r: IteratorResult<Buffer>;
    try {
      r = await it.next();
    } catch (e) {
      error = { e };
      break;
    }
    if (r.done) break;
    chunks.push(r.value);
    have += r.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (error !== null) throw error.e;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }), failed: error !== null, error };
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
  return { lines: 0, parsed: 0, blank: 0, rejected: {}, samples: {}, sites: [], formats: {}, unchanged: [], busy: [] };
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
  const formats = new Map<string, FormatSpec>();
  const waiter = new ChangeWaiter(files.map((f) => f.path));
  const signatures = new Map<string, string>();
  /** Inputs already announced (resuming / busy): a follow pass says it once. */
  const told = new Set<string>();
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
          const f = plan.format === 'auto' ? formats.get(input.path) : plan.format;
          const res = await ingestOne({ ...plan, ...(f ? { format: f } : {}) }, { path: r.name, site: input.site, readPath: r.readPath, end: r.end }, summary, sites, told);
          if (res.format && plan.format === 'auto' && !formats.has(input.path)) formats.set(input.path, res.format);
          follower.reached(r, res.offset);
        }
        await follower.release();
        if (signal.aborted) break;
      }
      if (summary.lines !== before) opts.onPass?.(summary);
      if (first) plan.onNotice?.(`following ${counted(files.length, 'file')}; commit interval ${opts.commitIntervalMs / 1000} s; SIGINT/SIGTERM stops`);
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
  /** The format used; null when nothing was read. */
  format: FormatSpec | null;
  /** Content offset reached (the checkpoint's offset); 0 for unrepeatable streams. */
  offset: number;
}

/** Raised inside an input's commit chain when another ingest moved the source first. */
class SourceBusy extends Error {}

async function ingestOne(plan: IngestPlan, input: IngestInput, summary: IngestSummary, sites: Set<string>, told?: Set<string>): Promise<OneResult> {
  const routing: Routing = input.site !== null ? { type: 'fixed', site: input.site } : plan.routing;
  const say = (key: string, msg: string): void => {
    if (told?.has(key)) return;
    told?.add(key);
    plan.onNotice?.(msg);
  };

  let src: OpenedSource;
  let resumeLines = 0;
  let from: CheckpointMove['from'] = null;
  let info: FileInfo | null = null;
  if (input.stream !== undefined) {
    src = { name: input.path, stream: input.stream, identity: null, sizeOnDisk: null, skipBytes: 0, startOffset: 0, bytesRead: () => 0 };
  } else if (input.path === '-') {
    src = openStdin();
  } else {
    info = await inspectFile(input.readPath ?? input.path);
    for (const cp of await plan.store.checkpoints()) {
      if (await matchesPrefix(info, cp.fpLength, cp.fpHash)) {
        from = { fpLength: cp.fpLength, fpHash: cp.fpHash, offset: cp.offset };
        resumeLines = cp.lines;
        break;
      }
    }
    const end = input.end ?? null;
    const limit = end !== null && !info.gzip ? Math.min(end, info.size) : info.size;
    if (from !== null && !info.gzip && from.offset >= limit) {
      // Follow passes ask often; only a one-off ingest says so.
      if (end === null) {
        summary.unchanged.push(input.path);
        plan.onNotice?.(`${input.path}: already ingested (${counted(resumeLines, 'line')}), nothing new`);
      }
      return { format: null, offset: from.offset };
    }
    const offset = from?.offset ?? 0;
    src = end !== null && !info.gzip ? openFileRange(info, input.path, offset, end) : { ...openFile(info, offset), name: input.path };
    if (from !== null) say(`resume:${input.path}`, `${input.path}: resuming after line ${count(resumeLines)}`);
  }

  let stream = src.stream;
  let parser: ByteLineParser;
  let spec: FormatSpec;
  if (plan.format === 'auto') {
    const p = await peek(stream, DETECT_BYTES);
    stream = p.stream;
    if (p.head.length === 0 && p.error === null) {
      // Empty input: nothing to detect and nothing to count.
      plan.onNotice?.(`${src.name}: empty`);
      return { format: null, offset: src.startOffset };
    }
    let found: Detection;
    try {
      found = detectOrExplain(p.head);
    } catch (e) {
      // A head cut short by a read error (a body declared gzip that is not) fails as that error.
      if (p.error !== null) throw readError(p.error.e, src.name);
      throw e;
    }
    parser = found.parser;
    spec = formatSpecOf(parser.format);
    plan.onNotice?.(`${src.name}: detected format ${found.name} (${count(found.parsed)} of the first ${counted(found.sampled, 'line')} parsed)`);
  } else {
    spec = plan.format;
    parser = createByteParser(spec);
    // A named format that matches none of a file's first lines (a typo in --log-format) fails
    // before anything is committed: the checkpoint would otherwise mark the file as read, and the
    // rerun with the right format would skip it. Only files read from their start: not resumed
    // files, follow passes, stdin (a quiet pipe must not wait for 64 KiB) or HTTP bodies.
    if (input.stream === undefined && input.path !== '-' && input.readPath === undefined && src.startOffset === 0 && src.skipBytes === 0) {
      const p = await peek(stream, DETECT_BYTES);
      stream = p.stream;
      const miss = noLineMatches(parser, p.head, !p.failed && p.head.length < DETECT_BYTES);
      if (miss !== null) throw appError('ERR_PARSE_NO_MATCH', miss.lines, src.name, parser.format, miss.reasons);
    }
  }
  summary.formats[src.name] = parser.format;
  if (routing.type === 'vhost' && !parser.hasVhost) {
    throw appError('ERR_USAGE', `format ${parser.format} has no virtual host field: routing by vhost needs one (or give --site)`);
  }

  const exec = plan.executor;
  exec.startInput({ name: src.name, format: spec, routing }, parser);
  const guard = new LineGuard(MAX_LINE_BYTES);
  // Offsets count decompressed bytes from the start of the content.
  const base = src.identity !== null && src.skipBytes === 0 ? src.startOffset : 0;
  const identity = src.identity;
  let position = from;
  let committed = base + 0;
  let committedLines = resumeLines;

  /** Commits run one after the other; `chain` is the latest. A refused batch stops the input. */
  let chain: Promise<void> = Promise.resolve();
  const commit = async (parts: PartResult[], offset: number, lines: number): Promise<void> => {
    const counts = newCounts();
    for (const p of parts) addCounts(counts, p.counts);
    const meta = new Map<string, SiteMeta>();
    for (const p of parts) {
      for (const s of p.part.site) if (!meta.has(s)) meta.set(s, plan.siteMeta(s));
      for (const r of p.part.rejected) if (r.site !== '' && !meta.has(r.site)) meta.set(r.site, plan.siteMeta(r.site));
    }
    const checkpoint: CheckpointMove | null =
      identity === null ? null : { fpLength: identity.fpLength, fpHash: identity.fpHash, dev: identity.dev, ino: identity.ino, from: position, offset: base + offset, lines };
    const commitBatch = (raw: RawFileSize[]): Promise<void> => plan.store.commit({ parts: parts.map((p) => p.part), sites: meta, checkpoint, raw, lines: counts.lines });
    try {
      if (plan.rawSpool === null) await commitBatch([]);
      else await plan.rawSpool.commit(mergeRawBlocks(parts.flatMap((p) => p.raw)), commitBatch);
    } catch (e) {
      if (isAppError(e) && e.code === 'ERR_SOURCE_BUSY') throw new SourceBusy(e.message);
      throw e;
    }
    if (identity !== null) position = { fpLength: identity.fpLength, fpHash: identity.fpHash, offset: base + offset };
    committed = base + offset;
    committedLines = lines;
    // Sites that received counted lines (a site with only rejected lines is not listed).
    for (const p of parts) for (const s of p.part.site) sites.add(s);
    summary.lines += counts.lines;
    summary.parsed += counts.parsed;
    summary.blank += counts.blank;
    for (const [reason, n] of Object.entries(counts.rejected) as [RejectReason, number][]) {
      summary.rejected[reason] = (summary.rejected[reason] ?? 0) + n;
      const s = (summary.samples[reason] ??= []);
      for (const at of counts.samples[reason] ?? []) if (s.length < SAMPLE_LINES) s.push(`${src.name}:${at}`);
    }
    collectIfOverBudget();
  };

  let lineNo = resumeLines;
  const progress = (): void => plan.onProgress?.({ source: src.name, lines: lineNo, bytesRead: src.bytesRead(), bytesTotal: src.sizeOnDisk });
  const timer = plan.onProgress ? setInterval(progress, 500) : undefined;
  timer?.unref();
  const source = untilStopped(stream, plan.signal, identity !== null, src.stream);
  let busy = false;
  try {
    await pipeline(source, guard, async (chunks: AsyncIterable<Buffer>) => {
      await cutInput({
        chunks,
        guard,
        exec,
        batchLines: plan.batchLines,
        skipBytes: src.skipBytes,
        firstLine: resumeLines,
        onLines: (n) => (lineNo = n),
        endBatch: async (offset, lines) => {
          const parts = exec.endBatch();
          parts.catch(() => undefined);
          // Inline, the line path's tables are the batch until it has drained; worker threads
          // drain in message order while the next batch is already being read.
          if (exec.workers === 0) await parts;
          // At most one batch waits for its commit while the next one is read.
          const prev = chain;
          chain = prev.then(async () => commit(await parts, offset, lines));
          // Handled here, thrown to whoever awaits it: a commit failing while the next batch is
          // read must not be an unhandled rejection (that would kill the process).
          chain.catch(() => undefined);
          await prev;
        },
      });
      await chain;
    });
  } catch (e) {
    // Batches cut before a failure still commit, as a single pass would have; what was read after
    // the last of them is dropped, so that it cannot join the next input's first batch.
    await chain.catch(() => undefined);
    await exec.discard();
    if (e instanceof SourceBusy || (e as { cause?: unknown }).cause instanceof SourceBusy) busy = true;
    else throw readError(e, src.name);
  } finally {
    if (timer) clearInterval(timer);
    progress();
  }
  if (busy) {
    summary.busy.push(input.path);
    say(`busy:${input.path}`, `${input.path}: another ingest read this file at the same time; this run stopped reading it after line ${count(committedLines)} (nothing is counted twice)`);
    // Where the other ingest now stands.
    return { format: spec, offset: committed };
  }
  return { format: spec, offset: committed };
}

/** A failure while reading a source: its own AppError (an HTTP body's), else ERR_SOURCE_READ. */
function readError(e: unknown, name: string): Error {
  return isAppError(e) ? e : appError('ERR_SOURCE_READ', name, (e as Error).message);
}

/** A plain file from `offset` up to (not including) `end`, a newline: only complete lines (completeLines). */
function openFileRange(info: FileInfo, name: string, offset: number, end: number): OpenedSource {
  const start = Math.min(offset, end);
  // createReadStream's `end` is inclusive; an empty range still needs a stream that ends.
  const raw = end > start ? createReadStream(info.path, { start, end: end - 1, highWaterMark: 256 * 1024 }) : Readable.from([]);
  const lines = completeLines();
  raw.on('error', (e: Error) => lines.destroy(e));
  raw.pipe(lines);
  return {
    name,
    stream: lines,
    identity: info.identity,
    sizeOnDisk: info.size,
    skipBytes: 0,
    startOffset: start,
    bytesRead: () => start + ('bytesRead' in raw ? (raw as { bytesRead: number }).bytesRead : 0),
  };
}
