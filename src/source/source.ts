/**
 * The source stage: where lines come from. A Source is a byte stream plus what is needed to
 * resume it exactly once: an identity (content fingerprint, device/inode) and the byte offset
 * to start from. Lines are split by split2 and decoded as latin1 (see line-splitter.ts), so a
 * line's length in chars is its length in bytes and checkpoint offsets are exact.
 */
import type { Readable } from 'node:stream';

export interface SourceIdentity {
  /** Bytes of decompressed content the fingerprint covers (≤ FINGERPRINT_BYTES). */
  fpLength: number;
  /** sha256 (hex) of the first fpLength decompressed bytes. */
  fpHash: string;
  dev: number;
  ino: number;
}

export interface OpenedSource {
  /** Display name: the path, or '-' for stdin. Never a line's content. */
  readonly name: string;
  /** Decompressed byte stream starting at `startOffset` (plain files) or at 0 (gzip: the reader skips). */
  readonly stream: Readable;
  /** null for stdin and other unrepeatable streams: they are never resumed. */
  readonly identity: SourceIdentity | null;
  /** Total bytes on disk, for progress (compressed size for .gz); null when unknown. */
  readonly sizeOnDisk: number | null;
  /** Decompressed bytes to skip before the first line that counts. */
  readonly skipBytes: number;
  /** Bytes already skipped by seeking (plain files resumed at an offset). */
  readonly startOffset: number;
  /** Bytes of the on-disk stream read so far (for progress). */
  bytesRead(): number;
}

/** The first this-many decompressed bytes identify a file's content across renames and compression. */
export const FINGERPRINT_BYTES = 1024;
