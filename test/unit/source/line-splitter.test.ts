import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { LineGuard } from '../../../src/source/line-guard.js';
import { createLatin1Splitter } from '../../../src/source/line-splitter.js';

async function split(chunks: Buffer[], max: number): Promise<{ lines: string[]; consumed: number; total: number }> {
  const guard = new LineGuard(max);
  const lines: string[] = [];
  let consumed = 0;
  const splitter = createLatin1Splitter<never>((line) => {
    lines.push(line);
    consumed += line.length + 1 + (line.length > max ? guard.takeDropped() : 0);
    return undefined;
  });
  await pipeline(Readable.from(chunks), guard, splitter, new Writable({ objectMode: true, write: (_c, _e, cb) => cb() }));
  return { lines, consumed, total: guard.bytesIn };
}

describe('latin1 line splitting', () => {
  it('keeps every byte: one char per byte, invalid UTF-8 intact', async () => {
    const bytes = Buffer.from([0x61, 0xff, 0xc3, 0x0a, 0xe2, 0x98, 0x83, 0x0a]);
    const { lines, consumed, total } = await split([bytes.subarray(0, 3), bytes.subarray(3)], 100);
    expect(lines).toEqual(['a\u00ff\u00c3', '\u00e2\u0098\u0083']);
    expect(consumed).toBe(total);
  });

  it('cuts overlong lines without buffering them and keeps offsets exact', async () => {
    const long = Buffer.alloc(5000, 0x41);
    const input = Buffer.concat([Buffer.from('ok\n'), long, Buffer.from('\nafter\n')]);
    const chunks = [input.subarray(0, 1000), input.subarray(1000, 2500), input.subarray(2500)];
    const { lines, consumed, total } = await split(chunks, 100);
    expect(lines[0]).toBe('ok');
    expect(lines[1]!.length).toBe(101);
    expect(lines[2]).toBe('after');
    expect(consumed).toBe(total);
    expect(total).toBe(input.length);
  });

  it('handles a last line without a newline and CRLF endings as bytes', async () => {
    const { lines } = await split([Buffer.from('a\r\nb')], 100);
    expect(lines).toEqual(['a\r', 'b']);
  });
});
