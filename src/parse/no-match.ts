/**
 * Whether a named format fits a file at all, asked before anything of the file is committed
 * (ERR_PARSE_NO_MATCH): a typo in --log-format must not mark the file as read.
 */
import type { ByteLineParser } from '../core/line-fields.js';
import { LineFields } from '../core/line-fields.js';
import { DETECT_LINES } from './detect.js';
import { rejectReason } from './reject.js';

/**
 * When no complete non-empty line of the head parses: how many were tried and why they failed
 * (`bad_quote: 198, bad_ip: 2`); null when one parses or there is no complete line to try.
 */
export function noLineMatches(parser: ByteLineParser, head: Buffer, whole: boolean): { lines: number; reasons: string } | null {
  const fields = new LineFields();
  const reasons = new Map<string, number>();
  let tried = 0;
  let start = 0;
  for (let n = 0; n < DETECT_LINES && start < head.length; n++) {
    let end = head.indexOf(10, start);
    if (end === -1) {
      // Cut in the middle (or a line longer than the head), unless the head is the whole input.
      if (!whole) break;
      end = head.length;
    }
    const code = parser.parse(head, start, end, fields);
    start = end + 1;
    if (code === 0) return null;
    const reason = rejectReason(code)!;
    if (reason === 'empty') continue;
    tried++;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  if (tried === 0) return null;
  return { lines: tried, reasons: [...reasons].sort((a, b) => b[1] - a[1]).map(([r, k]) => `${r}: ${k}`).join(', ') };
}
