import { describe, it, expect } from 'vitest';
import { LineFields } from '../../../src/core/record.js';
import { createByteParser, rejectReason } from '../../../src/parse/index.js';
import { fenced, ok, reason, recordOf, utc } from './helpers.js';

const x = createByteParser({ format: 'xferlog' });

describe('xferlog', () => {
  it('parses a download with a file name containing spaces', () => {
    expect(ok(x, 'Mon Oct 12 13:55:36 2020 1 192.0.2.1 1234 /path/with spaces/file.txt b _ o r alice ftp 0 * c')).toEqual({
      ip: '192.0.2.1',
      forwardedFor: '',
      user: 'alice',
      request: '',
      time: utc(2020, 10, 12, 13, 55, 36),
      day: utc(2020, 10, 12) / 86400,
      date: '2020-10-12',
      hour: 13,
      method: 'RETR',
      path: '/path/with spaces/file.txt',
      query: '',
      protocol: '',
      status: 226,
      bytes: 1234,
      referrer: '',
      userAgent: '',
      vhost: '',
      channel: 'ftp',
      clientIsName: false,
      timeTakenUs: -1,
    });
  });

  it('maps direction to the FTP command and completion to 226/426', () => {
    expect(ok(x, 'Tue Mar  3 01:02:03 2015 0 2001:db8::2 0 /up.bin a _ i r bob ftp 0 * i')).toMatchObject({
      method: 'STOR',
      status: 426,
      ip: '2001:db8::2',
      date: '2015-03-03',
      time: utc(2015, 3, 3, 1, 2, 3),
    });
    expect(ok(x, 'Tue Mar 03 01:02:03 2015 0 10.0.0.9 0 /gone.txt b _ d r bob ftp 0 * c').method).toBe('DELE');
  });

  it('never keeps the e-mail address an anonymous login gives as its name', () => {
    const r = ok(x, 'Wed Jan  1 00:00:00 2020 3 198.51.100.7 4096 /pub/readme b _ o a guest@example.com ftp 0 * c');
    expect(r.user).toBe('');
    expect(ok(x, 'Wed Jan  1 00:00:00 2020 3 198.51.100.7 4096 /pub/readme b _ o g guestuser ftp 0 * c').user).toBe('guestuser');
  });

  it('accepts lines without completion-status (8 trailing fields)', () => {
    expect(ok(x, 'Thu Feb 29 23:59:59 2024 12 203.0.113.1 10 /a b c.txt a C o r carol ftp 1 carol')).toMatchObject({
      path: '/a b c.txt',
      status: 226,
      user: 'carol',
      time: utc(2024, 2, 29, 23, 59, 59),
    });
  });

  it('takes a host name as the remote host (wu-ftpd resolves it)', () => {
    expect(ok(x, 'Mon Oct 12 13:55:36 2020 1 ftp.example.com 1234 /f b _ o r alice ftp 0 * c')).toMatchObject({ ip: 'ftp.example.com', clientIsName: true, bytes: 1234 });
    expect(ok(x, 'Mon Oct 12 13:55:36 2020 1 192.0.2.1 1234 /f b _ o r alice ftp 0 * c').clientIsName).toBe(false);
  });

  it('rejects broken lines with a reason', () => {
    expect(reason(x, 'Mon Oct 12 13:55:36 2020 1 ftp_example! 1234 /f b _ o r alice ftp 0 * c')).toBe('bad_ip');
    expect(reason(x, 'Mon Oct 12 13:55:36 2020 1 192.0.2.1 12x4 /f b _ o r alice ftp 0 * c')).toBe('bad_bytes');
    expect(reason(x, 'Mon Foo 12 13:55:36 2020 1 192.0.2.1 1 /f b _ o r alice ftp 0 * c')).toBe('bad_time');
    expect(reason(x, 'Mon Feb 30 13:55:36 2020 1 192.0.2.1 1 /f b _ o r alice ftp 0 * c')).toBe('bad_time');
    expect(reason(x, 'Mon Oct 12 13:55:36 2020 1 192.0.2.1 1 /f x _ o r alice ftp 0 * c')).toBe('format_mismatch');
    expect(reason(x, 'Mon Oct 12 13:55:36 2020 1 192.0.2.1 1 b _ o r alice ftp 0 * c')).toBe('missing_field');
    expect(reason(x, 'Mon Oct 12 13:55:36 2020 1 192.0.2.1')).toBe('missing_field');
    expect(reason(x, '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326')).toBe('bad_time');
    expect(reason(x, '  ')).toBe('empty');
  });

  it('strips \\r and resets the record', () => {
    const out = new LineFields();
    const a = fenced('Mon Oct 12 13:55:36 2020 1 192.0.2.1 1234 /f.txt b _ o r alice ftp 0 * c\r');
    expect(rejectReason(x.parse(a.buf, a.start, a.end, out))).toBeNull();
    expect(recordOf(out).path).toBe('/f.txt');
    const g = fenced('garbage');
    expect(x.parse(g.buf, g.start, g.end, out)).not.toBe(0);
    expect(recordOf(out)).toMatchObject({ user: '', path: '', method: '', ip: '' });
  });
});
