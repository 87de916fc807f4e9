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
}

/** The default is the privacy-preserving one; `full` must be asked for. */
export const DEFAULT_PRIVACY: PrivacyPolicy = { ip: 'mask', ipv4Prefix: 24, ipv6Prefix: 48, user: 'pseudonym', query: 'drop' };

export const IP_POLICIES: readonly IpPolicy[] = ['full', 'mask', 'pseudonym', 'drop'];
export const USER_POLICIES: readonly UserPolicy[] = ['full', 'pseudonym', 'drop'];

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
