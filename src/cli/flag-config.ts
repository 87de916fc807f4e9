/**
 * Flags become a pipeline-file-shaped object and are checked by the pipeline schema: one set of
 * rules for files and flags. When there is no pipeline file, a problem is told in terms of the
 * flag the user typed (`--ip must be one of …`), not of a field they never wrote (`privacy.ip`).
 */
import { appError } from '../core/errors.js';
import { FORMAT_NAMES, unknownFormatError } from '../parse/index.js';
import { listPipelineIssues, type PipelineConfig, type PipelineIssue, validatePipeline } from '../pipeline/index.js';

const SITE_KEY = String.raw`(?:\.[A-Za-z_$][\w$]*|\[".*"\])`;

/** Field path → the flag that sets it. */
const FLAG_OF_FIELD: readonly (readonly [RegExp, string])[] = [
  [/^format\.type$/, '--format'],
  [/^format\.logFormat$/, '--log-format'],
  [/^routing\.site$/, '--site'],
  [/^privacy\.ip$/, '--ip'],
  [/^privacy\.ipv4Prefix$/, '--ipv4-prefix'],
  [/^privacy\.ipv6Prefix$/, '--ipv6-prefix'],
  [/^privacy\.user$/, '--user'],
  [/^privacy\.queryAllow(\[\d+\])?$/, '--query-allow'],
  [/^metrics\.visitTimeoutMinutes$/, '--visit-timeout'],
  [/^enrich\.trustedProxies(\[\d+\])?$/, '--trusted-proxy'],
  [/^enrich\.geoDatabase$/, '--geo-db'],
  [new RegExp(`^sites${SITE_KEY}\\.hosts(\\[\\d+\\])?$`), '--host'],
  [new RegExp(`^sites${SITE_KEY}?$`), '--site'],
  [/^source\.paths(\[\d+\])?$/, 'FILE'],
];

/** One problem of a flags-only config, in flag words. */
export function flagIssue(issue: PipelineIssue, obj: { format?: { type?: string } }): string {
  if (issue.path === 'routing.type') {
    // The one cross-field rule flags can break: vhost routing is what no --site means.
    const format = obj.format?.type ?? 'auto';
    return `without --site every line goes to the site of its virtual host, but --format ${format} does not log one: give --site SITE, or a format with the virtual host (--format vhost_combined, or --log-format with %v / $host)`;
  }
  const flag = FLAG_OF_FIELD.find(([re]) => re.test(issue.path))?.[1];
  return flag !== undefined ? `${flag} ${issue.message}` : `${issue.path}: ${issue.message}`;
}

/**
 * `--format apache` / `--format nginx` name a template, not a format: without the template
 * (--log-format) say what to give instead of the schema's "format.logFormat: required".
 */
export function formatFromFlags(format: string | undefined, logFormat: string | undefined): { type: string; logFormat?: string } | undefined {
  if (logFormat !== undefined) return { type: logFormat.includes('$') ? 'nginx' : 'apache', logFormat };
  if (format === 'apache') {
    throw appError(
      'ERR_USAGE',
      '--format apache needs --log-format with the LogFormat string of your Apache configuration; for the predefined Apache formats give --format combined, common or vhost_combined',
    );
  }
  if (format === 'nginx') {
    throw appError('ERR_USAGE', "--format nginx needs --log-format with the log_format string of your nginx configuration; for nginx's default format give --format nginx_combined");
  }
  if (format === undefined) return undefined;
  // --format takes what --help lists; templates go to --log-format.
  if (!FORMAT_NAMES.includes(format)) throw unknownFormatError(format);
  return { type: format };
}

/** Validates a config built from flags alone: every problem is a usage error naming its flag. */
export function validateFlags(obj: Record<string, unknown>): PipelineConfig {
  const issues = listPipelineIssues(obj);
  if (issues.length > 0) throw appError('ERR_USAGE', issues.map((i) => flagIssue(i, obj as { format?: { type?: string } })).join('\n'));
  return validatePipeline(obj, 'command line');
}
