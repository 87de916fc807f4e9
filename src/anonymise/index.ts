/** @module anonymise — parsed lines in, AnonHits out; nothing raw passes. */
export { createAnonHit, createByteAnonymiser } from './byte-anonymiser.js';
export type { ByteAnonymiser, ByteAnonymiserOptions } from './byte-anonymiser.js';
export { createMemoryKeyRing, openFileKeyRing, keyRingPathFor, isExpired, deriveSiteKey, genOf, destroyedByWindow } from './keyring.js';
export type { KeyRing, KeyRequest, SiteDayKey, KeyStatus, DestroyedSecrets } from './keyring.js';
export { maskIp } from './ip-mask.js';
export { scrub, filterQuery } from './scrub.js';
export { createLineFilter } from './filter.js';
export type { LineFilter, FilterOptions, FilterStats, FilterLayout, UnparsedPolicy } from './filter.js';
export { findIpLiterals } from './ip-literals.js';
export { MASK_PRESETS, DEFAULT_PRIVACY, IP_POLICIES, USER_POLICIES, ipPolicySpec, userPolicySpec } from './policy.js';
export type { PrivacyPolicy, IpPolicy, UserPolicy, QueryPolicy } from './policy.js';
