/** The preset formats: Apache's and nginx's through the template engine, xferlog and Caddy by their own readers. */
import type { ByteLineParser } from '../core/line-fields.js';
import { compileApacheFormatAs } from './apache-format.js';
import { compileNginxFormatAs } from './nginx-format.js';
import { XferlogParser } from './xferlog.js';
import { CaddyParser } from './caddy.js';

/** The one list of preset names: --help, the docs, the pipeline schema and the errors derive from it. */
export const PRESETS = ['combined', 'common', 'vhost_combined', 'vhost_common', 'nginx_combined', 'xferlog', 'caddy'] as const;
export type PresetName = (typeof PRESETS)[number];

export const COMMON_FORMAT = '%h %l %u %t "%r" %>s %b';
export const COMBINED_FORMAT = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"';
export const VHOST_COMBINED_FORMAT = '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"';
/**
 * Common with the virtual host first: what hosters log when they keep no Referer or User-Agent
 * (GoAccess's VCOMMON, Matomo's common_vhost). `%v:%p` reads a vhost with or without its port.
 */
export const VHOST_COMMON_FORMAT = '%v:%p %h %l %u %t "%r" %>s %O';
export const NGINX_COMBINED_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

export function isPreset(name: string): name is PresetName {
  return (PRESETS as readonly string[]).includes(name);
}

/**
 * A fresh parser per call (parsers hold per-input date caches). Combined-style presets ignore
 * extra fields after the User-Agent (nginx's "$http_x_forwarded_for", timings); common and
 * vhost_common do not, so a combined line is 'trailing_garbage' for them and detection prefers
 * the combined one.
 */
export function createPreset(name: PresetName): ByteLineParser {
  switch (name) {
    case 'common':
      return compileApacheFormatAs(COMMON_FORMAT, 'common', false);
    case 'combined':
      return compileApacheFormatAs(COMBINED_FORMAT, 'combined', true);
    case 'vhost_combined':
      return compileApacheFormatAs(VHOST_COMBINED_FORMAT, 'vhost_combined', true);
    case 'vhost_common':
      return compileApacheFormatAs(VHOST_COMMON_FORMAT, 'vhost_common', false);
    case 'nginx_combined':
      return compileNginxFormatAs(NGINX_COMBINED_FORMAT, 'nginx_combined', true);
    case 'xferlog':
      return new XferlogParser();
    case 'caddy':
      return new CaddyParser();
  }
}

/**
 * Presets whose lines carry a virtual host (vhost routing works with them). Written out rather
 * than compiled at load time (every command imports this); test/unit/parse/presets.test.ts checks
 * it against each parser's hasVhost.
 */
export const VHOST_PRESETS: readonly PresetName[] = ['vhost_combined', 'vhost_common', 'caddy'];
