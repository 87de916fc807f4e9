/**
 * Reject codes of the byte parsers: index + 1 into REJECT_REASONS, 0 when the line parsed.
 * Literal numbers so the scanners compare small integer constants; a test checks each against
 * REJECT_REASONS.
 */
import { REJECT_REASONS, type RejectReason } from '../core/record.js';

export const R_OK = 0;
export const R_EMPTY = 1;
export const R_TOO_LONG = 2;
export const R_BAD_IP = 3;
export const R_BAD_TIME = 4;
export const R_BAD_STATUS = 5;
export const R_BAD_BYTES = 6;
export const R_BAD_QUOTE = 7;
export const R_MISSING_FIELD = 8;
export const R_TRAILING_GARBAGE = 9;
export const R_NO_SITE = 10;
export const R_FORMAT_MISMATCH = 11;
export const R_BAD_DURATION = 12;

/** The reason of a reject code; null for R_OK. */
export function rejectReason(code: number): RejectReason | null {
  return code === R_OK ? null : REJECT_REASONS[code - 1]!;
}

/** The reject code of a reason. */
export function rejectCode(reason: RejectReason): number {
  return REJECT_REASONS.indexOf(reason) + 1;
}
