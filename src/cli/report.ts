import { appError } from '../core/errors.js';
import { DEFAULT_THRESHOLD, loadReport, renderCsv, renderHtml, renderText } from '../report/index.js';
import { defaultStorePath, openStore } from '../store/index.js';
import { dateFlag, intFlag, oneOf, parse, printHelp } from './args.js';
import type { Command } from './command.js';

const help = `Usage: weblog report --site SITE [options]

Print a site's weblog for a date range.

  --site SITE          the site (required)
  --from YYYY-MM-DD    first day (default: the first day with data)
  --to YYYY-MM-DD      last day (default: the last day with data)
  --top N              rows per top list (default 10; 0 = all); hours always has all 24
  --compare            also report the period of equal length just before (\`previous\`,
                       and the change of every total in text and html)
  --threshold K        list an IP or user name (web or FTP) only when seen at least K times in the range;
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
  compare: { type: 'boolean' },
  format: { type: 'string' },
  lang: { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  store: { type: 'string' },
} as const;

/**
 * The one rule for a reversed period, whether both ends were given (`--from`, `--to`) or one end
 * was given and the data supplied the other (`first`, `last`: the period the store resolved).
 */
function checkPeriod(from: string | null, to: string | null, first: string | null, last: string | null): void {
  if (first === null || last === null || first <= last) return;
  if (from !== null && to !== null) throw appError('ERR_USAGE', `--from ${from} is after --to ${to}`);
  if (from !== null) throw appError('ERR_USAGE', `--from ${from} is after the last day with data (${last})`);
  throw appError('ERR_USAGE', `--to ${to} is before the first day with data (${first})`);
}

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
    checkPeriod(from, to, from, to);
    const top = intFlag('top', v.top, 0, 1_000_000) ?? 10;
    const threshold = intFlag('threshold', v.threshold, 1, 1_000_000) ?? DEFAULT_THRESHOLD;
    const format = oneOf('format', v.format, ['text', 'json', 'csv', 'html'] as const) ?? 'text';
    const lang = oneOf('lang', v.lang, ['en', 'de'] as const) ?? 'en';
    const storePath = v.store ?? defaultStorePath(io.env);
    const store = await openStore(storePath, { visitTimeoutSec: 1800, readonly: true });
    try {
      const report = await loadReport(store, { site: v.site.toLowerCase(), from, to, top, threshold, compare: v.compare === true });
      if (report === null) throw appError('ERR_SITE_UNKNOWN', v.site);
      // A one-sided range is completed by the data: --from after its last day is reversed too.
      checkPeriod(from, to, report.from, report.to);
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
