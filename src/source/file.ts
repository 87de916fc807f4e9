/**
 * Files and rotated .gz files. A file is identified by the sha256 of its first decompressed
 * bytes, so `access.log.1` and the same content later compressed to `access.log.2.gz` are the
 * same source and are not counted twice. Compression is detected from the magic bytes, not the
 * file name.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { appError } from '../core/errors.js';
import { FINGERPRINT_BYTES, type OpenedSource, type SourceIdentity } from './source.js';

export interface FileInfo {
  readonly path: string;
  readonly gzip: boolean;
  readonly identity: SourceIdentity;
  readonly size: number;
}

/** Compression is told by the magic bytes, not the file name. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function gunzipHead(path: string, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  const gunzip = createGunzip();
  const input = createReadStream(path);
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      parts.push(chunk);
      have += chunk.length;
      if (have >= n) break;
    }
  } catch (e) {
    // A truncated archive still has a usable head; anything else is a real error.
    if (have === 0) throw e;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
  return Buffer.concat(parts).subarray(0, n);
}

export async function inspectFile(path: string): Promise<FileInfo> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a regular file');
    const magic = await readHead(path, 2);
    const gzip = isGzip(magic);
    const head = gzip ? await gunzipHead(path, FINGERPRINT_BYTES) : await readHead(path, FINGERPRINT_BYTES);
    return {
      path,
      gzip,
      size: st.size,
      identity: {
        fpLength: head.length,
        fpHash: createHash('sha256').update(head).digest('hex'),
        dev: st.dev,
        ino: st.ino,
      },
    };
  } catch (e) {
    throw appError('ERR_SOURCE_OPEN', path, (e as Error).message);
  }
}

/** Does `info`'s content start with the content a checkpoint was taken on? */
export async function matchesPrefix(info: FileInfo, fpLength: number, fpHash: string): Promise<boolean> {
  if (fpLength > info.identity.fpLength) return false;
  if (fpLength === info.identity.fpLength) return fpHash === info.identity.fpHash;
  const head = info.gzip ? await gunzipHead(info.path, fpLength) : await readHead(info.path, fpLength);
  return createHash('sha256').update(head).digest('hex') === fpHash;
}

export function openFile(info: FileInfo, offset: number): OpenedSource {
  if (info.gzip) {
    const raw = createReadStream(info.path);
    const stream = raw.pipe(createGunzip());
    raw.on('error', (e) => stream.destroy(e));
    return {
      name: info.path,
      stream,
      identity: info.identity,
      sizeOnDisk: info.size,
      skipBytes: offset,
      startOffset: 0,
      bytesRead: () => raw.bytesRead,
    };
  }
  const start = Math.min(offset, info.size);
  const raw = createReadStream(info.path, { start, highWaterMark: 256 * 1024 });
  return {
    name: info.path,
    stream: raw,
    identity: info.identity,
    sizeOnDisk: info.size,
    skipBytes: 0,
    startOffset: start,
    bytesRead: () => start + raw.bytesRead,
  };
}

export function openStdin(): OpenedSource {
  // Progress for stdin comes from the line splitter's byte count; there is no total.
  return { name: '-', stream: process.stdin, identity: null, sizeOnDisk: null, skipBytes: 0, startOffset: 0, bytesRead: () => 0 };
}
