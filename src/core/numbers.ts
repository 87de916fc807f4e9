/**
 * How weblog writes numbers in messages, one formatter for all of them (ingest notices, summary,
 * progress, purge): counts grouped as 1,000,000, sizes in binary units (MiB), a noun in the
 * plural its count needs. Reports have their own, per language (report/render/format.ts).
 */

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands separators: 1,000,000. */
export function count(n: number): string {
  return grouped.format(n);
}

/** `1 key`, `3 keys`, `1,000 lines`; `many` defaults to `one` + s. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** Bytes in MiB with one decimal, without the unit (the caller puts one unit after a pair). */
export function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

/** A duration for an ETA: `45 s`, `3:07`, `1:02:09`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
