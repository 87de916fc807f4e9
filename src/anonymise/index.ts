/** @module anonymise — ParsedLine in, AnonHit out; nothing raw passes. */
export { createAnonymiser } from './anonymiser.js';
export type { Anonymiser, AnonymiserOptions } from './anonymiser.js';
export { createMemoryKeyRing, openFileKeyRing, keyRingPathFor } from './keyring.js';
export type { KeyRing } from './keyring.js';
export { maskIp } from './ip-mask.js';
export { fnv1a32 } from './hash.js';
export { scrub, filterQuery } from './scrub.js';
export { createLineFilter } from './filter.js';
export type { LineFilter, FilterOptions, FilterStats } from './filter.js';
export { MASK_PRESETS, DEFAULT_PRIVACY, IP_POLICIES, USER_POLICIES, describeIpPolicy, describeUserPolicy } from './policy.js';
export type { PrivacyPolicy, IpPolicy, UserPolicy, QueryPolicy } from './policy.js';
