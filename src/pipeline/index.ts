/** @module pipeline — wires the stages into ingest runs, settings and the retention rules. */
export { buildIngest } from './build.js';
export type { BuiltPipeline } from './build.js';
export { listPipelineIssues, loadPipelineFile, readPipelineFile, validatePipeline } from './config.js';
export type { PipelineIssue } from './config.js';
export { VHOST_FORMAT_TYPES } from './config-schema.js';
export type { PipelineConfig } from './config-schema.js';
export { runFollow, runIngest } from './ingest.js';
export type { IngestInput, IngestSummary, Progress } from './ingest.js';
export { retentionStatus, runPurge, weblogDeletionDay } from './retention.js';
export type { PurgeResult } from './retention.js';
export { settingsFromConfig, withAccountSites } from './settings.js';
export type { SiteHosts } from './settings.js';
