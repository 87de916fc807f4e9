/** @module source — log bytes from files (plain or gzip, resumed, followed) and stdin. */
export { inspectFile, matchesPrefix, openFile, openStdin } from './file.js';
export type { FileInfo } from './file.js';
export { ChangeWaiter, FileFollower } from './follow.js';
export { completeLines } from './complete-lines.js';
export { LineGuard } from './line-guard.js';
export { MAX_LINE_BYTES } from './line-splitter.js';
export type { OpenedSource } from './source.js';
