/** What the privacy policy allows to leave the anonymise stage (docs/privacy.md). */
export type IpPolicy = 'full' | 'mask' | 'pseudonym' | 'drop';
export type UserPolicy = 'full' | 'pseudonym' | 'drop';
export type QueryPolicy = 'drop' | 'keep';

export interface PrivacyPolicy {
  readonly ip: IpPolicy;
  readonly ipv4Prefix: number;
  readonly ipv6Prefix: number;
  readonly user: UserPolicy;
  readonly query: QueryPolicy;
  /** Query parameters kept even with query: drop. */
  readonly queryAllow: readonly string[];
}

/** The default is the privacy-preserving one; `full` must be asked for. */
export const DEFAULT_PRIVACY: PrivacyPolicy = { ip: 'mask', ipv4Prefix: 24, ipv6Prefix: 48, user: 'pseudonym', query: 'drop', queryAllow: [] };

export const IP_POLICIES: readonly IpPolicy[] = ['full', 'mask', 'pseudonym', 'drop'];
export const USER_POLICIES: readonly UserPolicy[] = ['full', 'pseudonym', 'drop'];

/**
 * Prefix presets equal to the peers' anonymisation: GoAccess's --anonymize-level 1/2/3 hides
 * 8/16/24 IPv4 bits and 64/80/96 IPv6 bits; anonip truncates 12 and 84 bits by default.
 */
export const MASK_PRESETS: Readonly<Record<string, { ipv4Prefix: number; ipv6Prefix: number }>> = {
  goaccess1: { ipv4Prefix: 24, ipv6Prefix: 64 },
  goaccess2: { ipv4Prefix: 16, ipv6Prefix: 48 },
  goaccess3: { ipv4Prefix: 8, ipv6Prefix: 32 },
  anonip: { ipv4Prefix: 20, ipv6Prefix: 44 },
};

/** One line for every report: what a reader is looking at. */
export function describeIpPolicy(p: PrivacyPolicy): string {
  switch (p.ip) {
    case 'full':
      return 'full IP addresses (not anonymised)';
    case 'mask':
      return `IP addresses shortened to /${p.ipv4Prefix} (IPv4) and /${p.ipv6Prefix} (IPv6)`;
    case 'pseudonym':
      return 'IP addresses replaced by per-site, daily-rotating pseudonyms';
    case 'drop':
      return 'IP addresses removed';
  }
}

export function describeUserPolicy(p: PrivacyPolicy): string {
  switch (p.user) {
    case 'full':
      return 'user names as logged (not anonymised)';
    case 'pseudonym':
      return 'user names replaced by per-site, daily-rotating pseudonyms';
    case 'drop':
      return 'user names removed';
  }
}
