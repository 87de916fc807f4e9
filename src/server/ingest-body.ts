/**
 * The request body of an HTTP ingest as the pipeline reads it, with every limit that protects the
 * single writer: bytes as sent, bytes after gunzip, how much gzip may expand, how long the body
 * may go without a byte while the ingest waits for one, and how long the whole request may take.
 *
 * A job may wait in the queue (one writer) before anything reads this stream, and meanwhile the
 * client may give up or a limit may trip. Such an error is kept on the stream (`errored`), where
 * the job finds it when its turn comes; it is never an 'error' event without a listener, which
 * would take the whole server down (issue 13, item 1).
 */
import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appError, isAppError, type AppError } from '../core/errors.js';
import type { ServerDeps } from './context.js';

/** Gzip output allowed before the expansion ratio applies: small bodies of repetitive lines pass. */
const RATIO_SLACK_BYTES = 1024 * 1024;

class ByteLimit extends Transform {
  #seen = 0;
  readonly #check: (seen: number) => AppError | null;
  readonly #onBytes: (n: number) => void;

  constructor(check: (seen: number) => AppError | null, onBytes: (n: number) => void = () => {}) {
    super();
    this.#check = check;
    this.#onBytes = onBytes;
  }

  get seen(): number {
    return this.#seen;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#seen += chunk.length;
    this.#onBytes(chunk.length);
    const err = this.#check(this.#seen);
    if (err !== null) cb(err);
    else cb(null, chunk);
  }
}

/** A zlib failure means the body is not what its Content-Encoding says. */
function gzipError(e: Error): AppError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('Z_')) return appError('ERR_INGEST_BODY', `the body is not valid gzip (Content-Encoding: gzip): ${e.message}`);
  return appError('ERR_INGEST_BODY', e.message);
}

/** What went wrong with a body stream, as the error the client gets; null when it is intact. */
export function bodyError(stream: Readable): AppError | null {
  const e = stream.errored;
  if (e === null) return null;
  return isAppError(e) ? e : gzipError(e);
}

export function openBody(request: FastifyRequest, reply: FastifyReply, gzip: boolean, deps: ServerDeps): Readable {
  const { limits, metrics } = deps;
  const body = request.body as Readable;
  let lastByteAt = Date.now();
  const first = new ByteLimit(
    (seen) => (seen > limits.maxBodyBytes ? appError('ERR_INGEST_TOO_LARGE', limits.maxBodyBytes) : null),
    (n) => {
      metrics.ingestBytes += n;
      lastByteAt = Date.now();
    },
  );
  const fail = (e: AppError): void => {
    if (!first.destroyed && !first.writableFinished) first.destroy(e);
  };
  // pipe(), not pipeline(), for the request itself: pipeline would destroy the request on a
  // limit error, and with it the socket, so the client would never see the 413.
  body.pipe(first);
  body.on('error', (e) => fail(appError('ERR_INGEST_BODY', e.message)));
  // The client went away before its answer: whatever of the body arrived is not stored, even when
  // all of it did (a queued request), since the client cannot know and will send it again.
  reply.raw.on('close', () => {
    if (!reply.raw.headersSent) fail(appError('ERR_INGEST_BODY', 'the client closed the connection'));
  });

  // Request timeout: from arrival to the body's last byte, queue wait included.
  const whole = setTimeout(() => fail(appError('ERR_REQUEST_TIMEOUT', `the body was not complete after ${limits.requestTimeoutMs / 1000} s`)), limits.requestTimeoutMs);
  // Body idle timeout: no byte for that long while the reader had taken everything (so the client,
  // not our own backpressure, is what the ingest waits for).
  let idle: NodeJS.Timeout;
  const armIdle = (ms: number): void => {
    idle = setTimeout(() => {
      const quiet = Date.now() - lastByteAt;
      if (quiet >= limits.bodyIdleTimeoutMs && first.readableLength === 0) fail(appError('ERR_REQUEST_TIMEOUT', `no body bytes for ${limits.bodyIdleTimeoutMs / 1000} s`));
      else armIdle(first.readableLength === 0 ? limits.bodyIdleTimeoutMs - quiet : limits.bodyIdleTimeoutMs);
    }, ms);
  };
  armIdle(limits.bodyIdleTimeoutMs);
  const stopTimers = (): void => {
    clearTimeout(whole);
    clearTimeout(idle);
  };
  first.on('close', stopTimers);
  // All of the body has arrived: the timeouts are about the client, not about the ingest.
  first.on('finish', stopTimers);

  if (!gzip) {
    first.on('error', keptForTheJob);
    return first;
  }
  const decoded = new ByteLimit((seen) => {
    if (seen > limits.maxDecodedBytes) return appError('ERR_INGEST_TOO_LARGE', limits.maxDecodedBytes);
    // Checked as the bytes come, so a gzip bomb fails after a few MB of output, not after the
    // decoded limit's worth of empty lines has gone through the parser.
    if (seen > RATIO_SLACK_BYTES + limits.maxGzipRatio * first.seen) return appError('ERR_INGEST_EXPANDS', limits.maxGzipRatio);
    return null;
  });
  // pipeline destroys the last stage with the first error, so the ingest sees it and stores nothing.
  const out = pipeline(first, createGunzip(), decoded, () => {});
  out.on('error', keptForTheJob);
  return out;
}

/** See the module comment: the error stays on the stream (`errored`) and the job's reader raises it. */
function keptForTheJob(): void {}
