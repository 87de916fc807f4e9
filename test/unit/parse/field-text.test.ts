import { describe, it, expect } from 'vitest';
import { F_IP, F_PATH, F_UA, F_VHOST } from '../../../src/core/record.js';
import { createByteParser, fieldText } from '../../../src/parse/index.js';
import { parsedFields } from './helpers.js';

describe('fieldText', () => {
  it('decodes a field from the line or from scratch, as latin1 or UTF-8', () => {
    const vhost = createByteParser({ format: 'vhost_combined' });
    const out = parsedFields(vhost, String.raw`Www.Example.COM:443 1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /caf\xc3\xa9 HTTP/1.1" 200 1 "-" "` + '\xe2\x98\x83"');
    expect(fieldText(out, F_IP)).toBe('1.2.3.4');
    expect(out.inScratch[F_VHOST]).toBe(1);
    expect(fieldText(out, F_VHOST)).toBe('www.example.com');
    expect(out.inScratch[F_PATH]).toBe(1);
    expect(fieldText(out, F_PATH)).toBe('/caf\xc3\xa9');
    expect(fieldText(out, F_PATH, 'utf8')).toBe('/café');
    expect(out.inScratch[F_UA]).toBe(0);
    expect(fieldText(out, F_UA, 'utf8')).toBe('\u2603');
  });
});
