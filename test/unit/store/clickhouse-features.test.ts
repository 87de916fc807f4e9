/** Which server features the ClickHouse store uses, by `SELECT version()` (docs/clickhouse.md, Versions). */
import { describe, expect, it } from 'vitest';
import { featuresOf } from '../../../src/store/clickhouse/connection.js';

describe('featuresOf', () => {
  it('gives 18.16 literals and no newer settings', () => {
    expect(featuresOf('18.16.1')).toMatchObject({ queryParams: false, asyncInsert: false, compactSchema: false });
  });

  it('switches each feature on at its first version, not before', () => {
    expect(featuresOf('19.14.9').queryParams).toBe(false);
    expect(featuresOf('19.15.1').queryParams).toBe(true);
    expect(featuresOf('21.10.6').asyncInsert).toBe(false);
    expect(featuresOf('21.11.1').asyncInsert).toBe(true);
    expect(featuresOf('19.20.1').compactSchema).toBe(false);
    expect(featuresOf('20.1.2').compactSchema).toBe(true);
  });

  it('gives the 26.7 of the CI matrix everything', () => {
    expect(featuresOf('26.7.2.1')).toMatchObject({ queryParams: true, asyncInsert: true, compactSchema: true });
  });
});
