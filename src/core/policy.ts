/**
 * The privacy policy of stored data, as data (issue 13, item 12): what the stores keep per site,
 * what the report contract carries (`meta.privacy`), and what every language renders — the
 * report footers, the web pages and the privacy notice. Nothing is ever parsed back from prose.
 */
export type IpMode = 'full' | 'mask' | 'pseudonym' | 'drop';
export type UserMode = 'full' | 'pseudonym' | 'drop';

/** How client addresses were treated. `v4`/`v6`: bits kept by `mask`, null for the other modes. */
export interface IpPolicySpec {
  readonly mode: IpMode;
  readonly v4: number | null;
  readonly v6: number | null;
}

/** How user names of protected areas were treated. */
export interface UserPolicySpec {
  readonly mode: UserMode;
}

export function ipSpec(mode: IpMode, v4: number, v6: number): IpPolicySpec {
  return mode === 'mask' ? { mode, v4, v6 } : { mode, v4: null, v6: null };
}

export function sameIp(a: IpPolicySpec, b: IpPolicySpec): boolean {
  return a.mode === b.mode && a.v4 === b.v4 && a.v6 === b.v6;
}

export function sameUser(a: UserPolicySpec, b: UserPolicySpec): boolean {
  return a.mode === b.mode;
}

/** `list` with the entries of `more` it does not have yet appended, in order (a site's history). */
export function addPolicies<T>(list: readonly T[], more: readonly T[], same: (a: T, b: T) => boolean): T[] {
  const out = [...list];
  for (const m of more) if (!out.some((x) => same(x, m))) out.push(m);
  return out;
}

/**
 * The contract's English sentence for one IP policy (`meta.ipPolicy`, joined by '; ' when the data
 * mixes policies). Stable text: scripts may read it. Readers in other languages use the spec.
 */
export function ipPolicyText(p: IpPolicySpec): string {
  switch (p.mode) {
    case 'full':
      return 'full IP addresses (not anonymised)';
    case 'mask':
      return `IP addresses shortened to /${p.v4} (IPv4) and /${p.v6} (IPv6)`;
    case 'pseudonym':
      return 'IP addresses replaced by per-site, daily-rotating pseudonyms';
    case 'drop':
      return 'IP addresses removed';
  }
}

export function userPolicyText(p: UserPolicySpec): string {
  switch (p.mode) {
    case 'full':
      return 'user names as logged (not anonymised)';
    case 'pseudonym':
      return 'user names replaced by per-site, daily-rotating pseudonyms';
    case 'drop':
      return 'user names removed';
  }
}

const IP_MODES: readonly IpMode[] = ['full', 'mask', 'pseudonym', 'drop'];
const USER_MODES: readonly UserMode[] = ['full', 'pseudonym', 'drop'];

/**
 * Reads the sentences weblog stored before policies were data (`ipPolicyText`/`userPolicyText`
 * joined by '; '). Used once by the SQLite migration and for ClickHouse rows written before;
 * exact sentences only, never keywords. Parts it does not know are left out (the old text stays
 * where it was).
 */
export function legacyPolicies(ipText: string, userText: string): { ip: IpPolicySpec[]; user: UserPolicySpec[] } {
  const parts = (s: string): string[] => s.split('; ').filter((x) => x !== '');
  const ip: IpPolicySpec[] = [];
  for (const part of parts(ipText)) {
    const m = /^IP addresses shortened to \/(\d{1,3}) \(IPv4\) and \/(\d{1,3}) \(IPv6\)$/.exec(part);
    const spec = m ? ipSpec('mask', Number(m[1]), Number(m[2])) : IP_MODES.map((mode) => ipSpec(mode, 0, 0)).find((s) => s.mode !== 'mask' && ipPolicyText(s) === part);
    if (spec && !ip.some((x) => sameIp(x, spec))) ip.push(spec);
  }
  const user: UserPolicySpec[] = [];
  for (const part of parts(userText)) {
    const spec = USER_MODES.map((mode) => ({ mode })).find((s) => userPolicyText(s) === part);
    if (spec && !user.some((x) => sameUser(x, spec))) user.push(spec);
  }
  return { ip, user };
}

/** A stored value that must be a policy spec (JSON written by weblog); null when it is not. */
export function parseIpSpec(v: unknown): IpPolicySpec | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (!IP_MODES.includes(o.mode as IpMode)) return null;
  const bits = (x: unknown, max: number): number | null => (typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max ? x : null);
  if (o.mode === 'mask') {
    const v4 = bits(o.v4, 32);
    const v6 = bits(o.v6, 128);
    return v4 === null || v6 === null ? null : ipSpec('mask', v4, v6);
  }
  return ipSpec(o.mode as IpMode, 0, 0);
}

export function parseUserSpec(v: unknown): UserPolicySpec | null {
  if (typeof v !== 'object' || v === null) return null;
  const mode = (v as Record<string, unknown>).mode;
  return USER_MODES.includes(mode as UserMode) ? { mode: mode as UserMode } : null;
}

/** The policies of a site's data, as the stores persist them (JSON). */
export interface Policies {
  readonly ip: readonly IpPolicySpec[];
  readonly user: readonly UserPolicySpec[];
}

export function policiesToJson(p: Policies): string {
  return JSON.stringify({ ip: p.ip, user: p.user });
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function listOf<T>(v: unknown, parse: (x: unknown) => T | null): T[] {
  return (Array.isArray(v) ? v : []).map(parse).filter((x): x is T => x !== null);
}

/** Reads what policiesToJson wrote; an entry that is not a policy is left out, never guessed. */
export function policiesFromJson(text: string): { ip: IpPolicySpec[]; user: UserPolicySpec[] } {
  const o = jsonOf(text) as Record<string, unknown> | null;
  return { ip: listOf(o?.ip, parseIpSpec), user: listOf(o?.user, parseUserSpec) };
}

/** One JSON list of IP policies (a ClickHouse `site_meta` row). */
export function ipPoliciesFromJson(text: string): IpPolicySpec[] {
  return listOf(jsonOf(text), parseIpSpec);
}

export function userPoliciesFromJson(text: string): UserPolicySpec[] {
  return listOf(jsonOf(text), parseUserSpec);
}
