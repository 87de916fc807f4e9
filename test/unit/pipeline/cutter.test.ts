/**
 * The one line and batch cutter: whatever the chunking, every line reaches the executor once and
 * in order, each batch ends at the exact byte offset after its last line, and a batch ends early
 * only where the executor asks (a new day, after half a batch).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Executor } from '../../../src/pipeline/engine/executor.js';
import { cutInput } from '../../../src/pipeline/engine/cutter.js';
import { LineGuard } from '../../../src/source/index.js';

interface Batch {
  lines: string[];
  offset: number;
  lineNo: number;
}

/** An executor that sees line texts "d<day> …" and cuts, as the line path does, at a later day. */
function fakeExecutor(batches: Batch[]): Executor {
  let lastDay = -1;
  let inBatch = 0;
  const exec = {
    workers: 0,
    startInput() {},
    updateSites() {},
    async discard() {},
    async close() {},
    async run(block: Uint8Array, from: number, ends: Uint32Array, n: number, _first: number, cutAfter: number) {
      let start = from;
      for (let i = 0; i < n; i++) {
        const text = Buffer.from(block.subarray(start, ends[i]!)).toString('latin1');
        const day = Number(/^d(\d+)/.exec(text)?.[1] ?? -1);
        if (day > lastDay) {
          if (inBatch + i >= cutAfter && lastDay >= 0) {
            inBatch += i;
            return i;
          }
          lastDay = day;
        }
        batches.at(-1)!.lines.push(text);
        start = ends[i]! + 1;
      }
      inBatch += n;
      return n;
    },
    async endBatch() {
      lastDay = -1;
      inBatch = 0;
      return [];
    },
  };
  return exec as unknown as Executor;
}

async function cut(text: string, cuts: number[], batchLines: number): Promise<Batch[]> {
  const bytes = Buffer.from(text, 'latin1');
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    if (p > at) chunks.push(bytes.subarray(at, p));
    at = Math.max(at, p);
  }
  const batches: Batch[] = [{ lines: [], offset: -1, lineNo: -1 }];
  const exec = fakeExecutor(batches);
  const guard = new LineGuard(1 << 20);
  async function* through(): AsyncGenerator<Buffer> {
    for (const c of chunks) {
      guard.bytesIn += c.length;
      yield c;
    }
  }
  await cutInput({
    chunks: through(),
    guard,
    exec,
    batchLines,
    skipBytes: 0,
    firstLine: 0,
    endBatch: async (offset, lineNo) => {
      await exec.endBatch();
      const b = batches.at(-1)!;
      b.offset = offset;
      b.lineNo = lineNo;
      batches.push({ lines: [], offset: -1, lineNo: -1 });
    },
  });
  batches.pop();
  return batches;
}

const log = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 12 }).map((runs) => {
  // Runs of lines per day, days mostly ascending (a late line now and then).
  const lines: string[] = [];
  let day = 0;
  for (const [step, count] of runs) {
    day += step === 4 ? -1 : step;
    for (let i = 0; i < count; i++) lines.push(`d${Math.max(0, day)} line ${lines.length}`);
  }
  return lines;
});

describe('cutInput', () => {
  it('delivers every line once, in order; each batch ends right after its last line; early ends only at a new day', async () => {
    await fc.assert(
      fc.asyncProperty(log, fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), async (lines, cuts, batchLines, lastNewline) => {
        const text = lines.join('\n') + (lastNewline ? '\n' : '');
        const batches = await cut(text, cuts, batchLines);
        expect(batches.flatMap((b) => b.lines)).toEqual(lines);
        let lineNo = 0;
        for (const [i, b] of batches.entries()) {
          lineNo += b.lines.length;
          expect(b.lineNo).toBe(lineNo);
          const through = lines.slice(0, lineNo).join('\n');
          const ended = lineNo === lines.length ? text.length : through.length + 1;
          expect(b.offset, `batch ${i}`).toBe(ended);
          expect(b.lines.length).toBeLessThanOrEqual(batchLines);
          const next = batches[i + 1];
          if (next !== undefined && next.lines.length > 0 && b.lines.length < batchLines) {
            // An early end: the next line starts a later day than any of this batch.
            const dayOf = (l: string): number => Number(/^d(\d+)/.exec(l)![1]);
            expect(dayOf(next.lines[0]!)).toBeGreaterThan(Math.max(...b.lines.map(dayOf)));
            expect(b.lines.length).toBeGreaterThanOrEqual(Math.floor(batchLines / 2));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('ends a time-ordered log\'s batches at its day boundaries', async () => {
    const lines = [0, 1, 2].flatMap((d) => Array.from({ length: 6 }, (_, i) => `d${d} line ${i}`));
    const batches = await cut(`${lines.join('\n')}\n`, [17, 50, 51, 90], 10);
    expect(batches.map((b) => b.lines.length)).toEqual([6, 6, 6]);
  });
});
