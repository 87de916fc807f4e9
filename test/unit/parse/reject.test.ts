import { describe, it, expect } from 'vitest';
import { REJECT_REASONS } from '../../../src/core/record.js';
import * as R from '../../../src/parse/reject.js';

describe('reject codes', () => {
  it('are index + 1 into REJECT_REASONS, 0 for a parsed line', () => {
    const byName: Record<string, number> = {
      empty: R.R_EMPTY,
      too_long: R.R_TOO_LONG,
      bad_ip: R.R_BAD_IP,
      bad_time: R.R_BAD_TIME,
      bad_status: R.R_BAD_STATUS,
      bad_bytes: R.R_BAD_BYTES,
      bad_quote: R.R_BAD_QUOTE,
      missing_field: R.R_MISSING_FIELD,
      trailing_garbage: R.R_TRAILING_GARBAGE,
      no_site: R.R_NO_SITE,
      format_mismatch: R.R_FORMAT_MISMATCH,
      bad_duration: R.R_BAD_DURATION,
    };
    expect(Object.keys(byName).sort()).toEqual([...REJECT_REASONS].sort());
    for (const reason of REJECT_REASONS) {
      expect(REJECT_REASONS[byName[reason]! - 1]).toBe(reason);
      expect(R.rejectCode(reason)).toBe(byName[reason]);
      expect(R.rejectReason(byName[reason]!)).toBe(reason);
    }
    expect(R.rejectReason(R.R_OK)).toBeNull();
  });
});
