/**
 * Short-term attack signal (privacy issue: "short-term analysis of IPs is allowed to detect
 * attacks, with no further storage"). An in-memory sliding window over log time flags an address
 * that produces a burst of 401/403 answers (brute force on a password-protected directory) or of
 * 404s (a scan). Flags go to the operator (a callback: stderr in ingest); nothing about an
 * address outlives the window, and nothing is ever written to the store.
 */
import { F_IP, type LineFields } from '../core/line-fields.js';

export interface AttackSignalOptions {
  /** Window length in seconds of log time (default 600). */
  readonly windowSec: number;
  /** 401/403 answers from one address within the window that raise a flag (default 20). */
  readonly authFailures: number;
  /** 404 answers from one address within the window that raise a flag (default 50). */
  readonly notFound: number;
  /** Addresses tracked at most; the least recently seen are forgotten first. */
  readonly maxTracked: number;
}

export const DEFAULT_ATTACK_SIGNAL: AttackSignalOptions = { windowSec: 600, authFailures: 20, notFound: 50, maxTracked: 100_000 };

export interface AttackFlag {
  readonly kind: 'auth-failures' | '404-scan';
  /** The address as logged: shown to the operator, never stored. */
  readonly ip: string;
  readonly count: number;
  /** Unix seconds of the first and last event in the window. */
  readonly from: number;
  readonly to: number;
}

interface Track {
  auth: number[];
  nf: number[];
  flaggedAuth: boolean;
  flaggedNf: boolean;
}

export interface AttackSignal {
  observe(line: LineFields): void;
  /** Addresses currently tracked (for tests and metrics; never persisted). */
  readonly tracked: number;
}

function prune(times: number[], cutoff: number): void {
  let i = 0;
  while (i < times.length && times[i]! < cutoff) i++;
  if (i > 0) times.splice(0, i);
}

export function createAttackSignal(opts: AttackSignalOptions, onFlag: (f: AttackFlag) => void): AttackSignal {
  const tracks = new Map<string, Track>();
  let latest = 0;
  let lastSweep = 0;

  function sweep(now: number): void {
    const cutoff = now - opts.windowSec;
    for (const [ip, t] of tracks) {
      prune(t.auth, cutoff);
      prune(t.nf, cutoff);
      if (t.auth.length === 0 && t.nf.length === 0) tracks.delete(ip);
    }
  }

  return {
    get tracked() {
      return tracks.size;
    },
    observe(line) {
      const s = line.status;
      const auth = s === 401 || s === 403;
      if (!auth && s !== 404) return;
      const now = line.time;
      if (now > latest) latest = now;
      if (latest - lastSweep > opts.windowSec) {
        sweep(latest);
        lastSweep = latest;
      }
      // Only 401/403/404 lines get here: decoding their address is off the common path.
      const ipBytes = (line.inScratch[F_IP] ? line.scratch : line.src).subarray(line.start[F_IP]!, line.end[F_IP]!);
      const ip = Buffer.from(ipBytes.buffer, ipBytes.byteOffset, ipBytes.length).toString('latin1');
      let t = tracks.get(ip);
      if (t === undefined) {
        if (tracks.size >= opts.maxTracked) {
          const oldest = tracks.keys().next();
          if (oldest.done !== true) tracks.delete(oldest.value);
        }
        t = { auth: [], nf: [], flaggedAuth: false, flaggedNf: false };
        tracks.set(ip, t);
      }
      const cutoff = now - opts.windowSec;
      const times = auth ? t.auth : t.nf;
      times.push(now);
      prune(times, cutoff);
      if (auth && !t.flaggedAuth && times.length >= opts.authFailures) {
        t.flaggedAuth = true;
        onFlag({ kind: 'auth-failures', ip, count: times.length, from: times[0]!, to: now });
      } else if (!auth && !t.flaggedNf && times.length >= opts.notFound) {
        t.flaggedNf = true;
        onFlag({ kind: '404-scan', ip, count: times.length, from: times[0]!, to: now });
      }
      if (times.length === 0) {
        if (auth) t.flaggedAuth = false;
        else t.flaggedNf = false;
      }
    },
  };
}
