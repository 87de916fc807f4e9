/**
 * `weblog anonymise` as operators run it (issue 13, item 3): it must not leak on a format
 * mismatch. vhost_combined lines used to come out with the full address and exit 0, with one
 * count on stderr as the only sign.
 */
import { describe, expect, it } from 'vitest';
import { weblogProcess } from '../helpers/cli.js';

const UA = '"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"';
const VHOST = [
  `site.example:80 158.178.118.99 - - [01/Mar/2024:10:00:00 +0100] "GET /a?x=1 HTTP/1.1" 200 5 "-" ${UA}`,
  `site.example:443 2001:db8:dead:beef::99 - bob [01/Mar/2024:10:00:01 +0100] "GET /b HTTP/1.1" 200 5 "-" ${UA}`,
].join('\n');

describe('weblog anonymise fails closed', () => {
  it('detects vhost_combined by default and rewrites the client after the host:port prefix', async () => {
    const r = await weblogProcess(['anonymise'], `${VHOST}\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('detected format vhost_combined');
    expect(r.stdout).toMatch(/^site\.example:80 158\.178\.118\.0 - - \[01\/Mar\/2024:10:00:00 \+0100\] "GET \/a HTTP\/1\.1" 200 5/);
    expect(r.stdout).toMatch(/\nsite\.example:443 2001:db8:dead:: - user-[a-z2-7]{10} /);
    for (const secret of ['158.178.118.99', 'dead:beef', ' bob ']) expect(r.stdout).not.toContain(secret);
  });

  it('with the wrong --format, masks every address in the lines it cannot read and says so (counts, no values)', async () => {
    const r = await weblogProcess(['anonymise', '--format', 'combined'], `${VHOST}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('158.178.118.99');
    expect(r.stdout).not.toContain('dead:beef');
    expect(r.stdout).toContain('site.example:80 158.178.118.0 ');
    expect(r.stderr).toContain('2 lines; 2 not in the combined format: 1 IPv4 and 1 IPv6 addresses found anywhere in them rewritten by the --ip policy');
    expect(r.stderr).not.toMatch(/158\.178|2001:db8/);
  });

  it('drops them with --unparsed drop, and passes them only when --unparsed pass is asked for', async () => {
    const d = await weblogProcess(['anonymise', '--format', 'combined', '--unparsed', 'drop'], `${VHOST}\n`);
    expect(d.stdout).toBe('');
    expect(d.stderr).toContain('2 not in the combined format: dropped');
    const p = await weblogProcess(['anonymise', '--format', 'combined', '--unparsed', 'pass'], `${VHOST}\n`);
    expect(p.stdout).toBe(`${VHOST}\n`);
    expect(p.stderr).toContain('passed through unchanged (--unparsed pass)');
    const bad = await weblogProcess(['anonymise', '--unparsed', 'keep'], '');
    expect(bad.code).toBe(2);
  });

  it('reads xferlog (detected), rewriting the remote host and the user name', async () => {
    const x = 'Mon Mar  4 13:55:36 2024 1 203.0.113.45 1234 /pub/file.txt b _ o r alice ftp 0 * c\n';
    const r = await weblogProcess(['anonymise', '--user', 'drop'], x);
    expect(r.stderr).toContain('detected format xferlog');
    expect(r.stdout).toBe('Mon Mar  4 13:55:36 2024 1 203.0.113.0 1234 /pub/file.txt b _ o r - ftp 0 * c\n');
  });
});
