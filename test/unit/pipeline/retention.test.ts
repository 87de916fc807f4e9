import { describe, expect, it } from 'vitest';
import { addDays, rawCutoff, weblogDeletionDay } from '../../../src/pipeline/retention.js';

describe('retention rules', () => {
  it('deletes a weblog at the end of the contract year, never earlier than 30 days after the end', () => {
    expect(weblogDeletionDay('2024-06-30')).toBe('2025-01-01');
    expect(weblogDeletionDay('2024-11-30')).toBe('2025-01-01');
    expect(weblogDeletionDay('2024-12-01')).toBe('2025-01-01');
    expect(weblogDeletionDay('2024-12-02')).toBe('2025-01-02');
    expect(weblogDeletionDay('2024-12-15')).toBe('2025-01-15');
    expect(weblogDeletionDay('2024-12-31')).toBe('2025-01-31');
    expect(weblogDeletionDay('2025-01-01')).toBe('2026-01-01');
  });

  it('keeps 30 full days after the contract end around New Year', () => {
    for (const end of ['2024-12-01', '2024-12-02', '2024-12-20', '2024-12-31']) {
      const del = weblogDeletionDay(end);
      expect(del > addDays(end, 30)).toBe(true);
      expect(del >= '2025-01-01').toBe(true);
    }
  });

  it('computes the raw-window cutoff across month and leap days', () => {
    expect(rawCutoff('2024-03-01', 7)).toBe('2024-02-23');
    expect(rawCutoff('2024-03-01', 1)).toBe('2024-02-29');
    expect(rawCutoff('2024-06-01', 0)).toBe('2024-06-01');
  });
});
