/** @module detect — short-term detections on raw lines, before anonymisation; nothing is stored. */
export { createAttackSignal, DEFAULT_ATTACK_SIGNAL } from './attack-signal.js';
export type { AttackFlag, AttackSignal, AttackSignalOptions } from './attack-signal.js';
