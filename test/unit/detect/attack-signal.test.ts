import { describe, expect, it } from 'vitest';
import { F_IP, LineFields } from '../../../src/core/line-fields.js';
import { createAttackSignal, type AttackFlag } from '../../../src/detect/index.js';

function line(ip: string, time: number, status: number): LineFields {
  const l = new LineFields();
  l.src = Buffer.from(`${ip} rest of the line`, 'latin1');
  l.start[F_IP] = 0;
  l.end[F_IP] = ip.length;
  l.time = time;
  l.status = status;
  return l;
}

const opts = { windowSec: 600, authFailures: 5, notFound: 10, maxTracked: 3 };

describe('attack signal', () => {
  it('flags a burst of 401/403 once, and a 404 scan once', () => {
    const flags: AttackFlag[] = [];
    const a = createAttackSignal(opts, (f) => flags.push(f));
    for (let i = 0; i < 8; i++) a.observe(line('192.0.2.9', 1000 + i, i % 2 ? 401 : 403));
    for (let i = 0; i < 12; i++) a.observe(line('198.51.100.3', 1000 + i, 404));
    a.observe(line('198.51.100.3', 1100, 200));
    expect(flags).toEqual([
      { kind: 'auth-failures', ip: '192.0.2.9', count: 5, from: 1000, to: 1004 },
      { kind: '404-scan', ip: '198.51.100.3', count: 10, from: 1000, to: 1009 },
    ]);
  });

  it('does not flag failures spread wider than the window', () => {
    const flags: AttackFlag[] = [];
    const a = createAttackSignal(opts, (f) => flags.push(f));
    for (let i = 0; i < 20; i++) a.observe(line('192.0.2.9', 1000 + i * 200, 401));
    expect(flags).toEqual([]);
  });

  it('forgets addresses once their window has passed, and is bounded', () => {
    const a = createAttackSignal(opts, () => {});
    for (let i = 0; i < 10; i++) a.observe(line(`192.0.2.${i}`, 1000, 404));
    expect(a.tracked).toBe(3);
    a.observe(line('203.0.113.1', 5000, 404));
    expect(a.tracked).toBe(1);
  });
});
