/** The preset formats, compiled through the same template engine as custom formats. */
import type { LineParser, PresetName } from './parser.js';
import { compileApacheFormatAs } from './apache-format.js';
import { compileNginxFormatAs } from './nginx-format.js';
import { XferlogParser } from './xferlog.js';

export const COMMON_FORMAT = '%h %l %u %t "%r" %>s %b';
export const COMBINED_FORMAT = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"';
export const VHOST_COMBINED_FORMAT = '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"';
export const NGINX_COMBINED_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

/**
 * A fresh parser per call (parsers hold per-input date caches). Combined-style presets ignore
 * extra fields after the User-Agent (nginx's "$http_x_forwarded_for", timings); common does not,
 * so a combined line is 'trailing_garbage' for it and detection prefers combined.
 */
export function createPreset(name: PresetName): LineParser {
  switch (name) {
    case 'common':
      return compileApacheFormatAs(COMMON_FORMAT, 'common', false);
    case 'combined':
      return compileApacheFormatAs(COMBINED_FORMAT, 'combined', true);
    case 'vhost_combined':
      return compileApacheFormatAs(VHOST_COMBINED_FORMAT, 'vhost_combined', true);
    case 'nginx_combined':
      return compileNginxFormatAs(NGINX_COMBINED_FORMAT, 'nginx_combined', true);
    case 'xferlog':
      return new XferlogParser();
  }
}
