import { appError } from '../core/errors.js';
import { buildReport, DEFAULT_THRESHOLD } from '../report/build.js';
import { renderCsv, renderHtml, renderText } from '../report/render/index.js';
import { defaultStorePath, openStore } from '../store/index.js';
import { dateFlag, intFlag, oneOf, parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog report --site SITE [options]

Print a site's weblog for a date range.

  --site SITE          the site (required)
  --from YYYY-MM-DD    first day (default: the first day with data)
  --to YYYY-MM-DD      last day (default: the last day with data)
  --top N              rows per top list (default 10; 0 = all)
  --threshold K        list an IP or user name only when seen at least K times in the range;
                       the rest is shown as "others" (default 3; 1 lists everything)
  --format F           text | json | csv | html (default: text)
  --lang L             en | de, for text and html (default: en)
  --color / --no-color colours in text output (default: when stdout is a terminal)
  --store LOCATION     SQLite file or clickhouse://user:pass@host:8123/db
                       (default: $WEBLOG_STORE or ~/.local/share/weblog/weblog.db)
  -h, --help           this help

JSON follows the report contract in docs/report-contract.md.`;

const options = {
  site: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  top: { type: 'string' },
  threshold: { type: 'string' },
  format: { type: 'string' },
  lang: { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  store: { type: 'string' },
} as const;

export const reportCommand: Command = {
  name: 'report',
  help,
  async run(argv, io) {
    const { values: v, positionals } = parse(argv, options);
    if (v.help) return printHelp(io, help);
    if (positionals.length > 0) throw appError('ERR_USAGE', `unexpected argument "${positionals[0]}"`);
    if (!v.site) throw appError('ERR_USAGE', '--site is required');
    const from = dateFlag('from', v.from);
    const to = dateFlag('to', v.to);
    if (from && to && from > to) throw appError('ERR_USAGE', `--from ${from} is after --to ${to}`);
    const top = intFlag('top', v.top, 0, 1_000_000) ?? 10;
    const threshold = intFlag('threshold', v.threshold, 1, 1_000_000) ?? DEFAULT_THRESHOLD;
    const format = oneOf('format', v.format, ['text', 'json', 'csv', 'html'] as const) ?? 'text';
    const lang = oneOf('lang', v.lang, ['en', 'de'] as const) ?? 'en';
    const storePath = v.store ?? defaultStorePath(io.env);
    const store = await openStore(storePath, { visitTimeoutSec: 1800, readonly: true });
    try {
      const stored = await store.query({ site: v.site.toLowerCase(), from, to, top });
      if (stored === null) throw appError('ERR_SITE_UNKNOWN', v.site);
      const report = buildReport(stored, { threshold });
      let out: string;
      if (format === 'json') out = `${JSON.stringify(report, null, 2)}\n`;
      else if (format === 'csv') out = renderCsv(report);
      else if (format === 'html') out = renderHtml(report, { lang });
      else {
        const color = v['no-color'] ? false : (v.color ?? (io.stdout.isTTY === true && !io.env.NO_COLOR));
        out = renderText(report, { color, ...(lang === 'de' ? { lang } : {}) });
      }
      io.stdout.write(out);
      return 0;
    } finally {
      await store.close();
    }
  },
};
