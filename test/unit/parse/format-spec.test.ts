import { describe, expect, it } from 'vitest';
import { createParser, formatSpecOf, PRESETS, type FormatSpec } from '../../../src/parse/index.js';

// Worker threads rebuild the parser of an input from its name (LineParser.format).
describe('formatSpecOf', () => {
  const specs: FormatSpec[] = [
    ...PRESETS.map((format) => ({ format })),
    { format: 'apache', logFormat: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D' },
    { format: 'nginx', logFormat: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent' },
  ];

  it.each(specs.map((s) => [s.format, s] as const))('round-trips %s', (_name, spec) => {
    const parser = createParser(spec);
    const again = createParser(formatSpecOf(parser.format));
    expect(again.format).toBe(parser.format);
    expect(formatSpecOf(parser.format)).toEqual(spec);
  });

  it('names an unknown format', () => {
    expect(() => formatSpecOf('w3c:whatever')).toThrow(/w3c:whatever/);
  });
});
