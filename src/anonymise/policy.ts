/** What the privacy policy allows to leave the anonymise stage (docs/privacy.md). */
import { ipSpec, type IpMode, type IpPolicySpec, type UserMode, type UserPolicySpec } from '../core/policy.js';

export type IpPolicy = IpMode;
export type UserPolicy = UserMode;
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

/** The IP policy of data made under `p`, as stored with it (core/policy.ts). */
export function ipPolicySpec(p: PrivacyPolicy): IpPolicySpec {
  return ipSpec(p.ip, p.ipv4Prefix, p.ipv6Prefix);
}

export function userPolicySpec(p: PrivacyPolicy): UserPolicySpec {
  return { mode: p.user };
}
