/**
 * Labels for the report renderers and the web UI, English and German. One dictionary so the text,
 * HTML and server views never disagree about what a number is called. Parameterised labels are
 * functions (typed arguments instead of `{placeholder}` strings that can drift).
 *
 * Returned strings are plain text: callers escape them for their output (HTML, terminal), because
 * some arguments (site names) come from stored data.
 */

import type { FtpList, TopList } from '../contract.js';
import type { IpPolicySpec, UserPolicySpec } from '../../core/policy.js';
import type { RejectReason } from '../../core/record.js';

export type Lang = 'en' | 'de';
export const LANGS: readonly Lang[] = ['en', 'de'];

export interface Messages {
  readonly lang: Lang;
  /** BCP 47 tag for Intl formatting. */
  readonly locale: string;
  readonly title: (site: string) => string;
  readonly period: string;
  readonly totals: string;
  readonly hits: string;
  readonly visitors: string;
  readonly visits: string;
  readonly pages: string;
  readonly ips: string;
  readonly bytes: string;
  readonly bots: string;
  readonly perDay: string;
  readonly topLists: string;
  readonly date: string;
  readonly chartDays: (from: string, to: string) => string;
  readonly chartHours: string;
  readonly hourOfDay: string;
  readonly rank: string;
  readonly share: string;
  /** Label of the row that sums keys folded away by the per-day key cap. */
  readonly other: string;
  /** Shown for an empty key (e.g. country unknown). */
  readonly emptyKey: string;
  readonly noData: string;
  readonly ftp: string;
  readonly transfers: string;
  readonly rejected: string;
  readonly rejectedLines: string;
  readonly reason: string;
  readonly lines: string;
  readonly privacy: string;
  readonly dataSources: string;
  readonly generatedBy: string;
  readonly bounces: string;
  readonly bounceRate: string;
  readonly avgVisit: string;
  /** Short explanations of the totals, in the order the cards show them. */
  readonly explain: Readonly<Record<'hits' | 'visitors' | 'visits' | 'pages' | 'ips' | 'bots' | 'bytes' | 'bounceRate' | 'avgVisit', string>>;
  readonly explainTitle: string;
  readonly comparedWith: (from: string, to: string) => string;
  /** Shown instead of a percentage when the previous period had none. */
  readonly deltaNew: string;
  readonly deltaSame: string;
  readonly previousPeriod: string;
  readonly perMonth: string;
  readonly month: string;
  readonly chartMonths: (from: string, to: string) => string;
  /** The name of a table's scroll box inside a section of the same title (landmark names must differ). */
  readonly tableOf: (title: string) => string;
  readonly dayStats: string;
  readonly minimum: string;
  readonly average: string;
  readonly maximum: string;
  readonly total: string;
  readonly statusClasses: string;
  readonly statusClass: Readonly<Record<'1' | '2' | '3' | '4' | '5', string>>;
  readonly statusNames: Readonly<Record<string, string>>;
  /** Hits of status codes beyond the listed ones (the list was cut to --top). */
  readonly notListed: string;
  readonly requests: string;
  readonly totalTime: string;
  readonly avgTime: string;
  readonly maxTime: string;
  readonly versions: string;
  readonly showVersions: (n: number) => string;
  readonly unknownBrowsers: string;
  /** Display names of keys the enrichment writes in English (Unknown, device classes). */
  readonly keyNames: Readonly<Record<string, string>>;
  readonly undeduplicated: string;
  readonly web: string;
  readonly shareOf: (label: string) => string;
  readonly rest: string;
  /**
   * Long words of column headers with their break point ('|'): the HTML puts a soft hyphen there,
   * so that narrow columns on a phone can wrap them (text and CSV keep the words whole).
   */
  readonly breaks: readonly string[];
  /** Headings of the groups of top lists. */
  readonly groups: Readonly<Record<'pages' | 'sources' | 'technology' | 'requests' | 'clients', string>>;
  readonly lists: Readonly<Record<TopList | FtpList, string>>;
  /** Header of the key column of each list. */
  readonly keyColumn: Readonly<Record<TopList | FtpList, string>>;
  readonly reasons: Readonly<Record<RejectReason, string>>;
  readonly ipPolicy: {
    readonly full: string;
    readonly mask: (v4: number, v6: number) => string;
    readonly pseudonym: string;
    readonly drop: string;
    /** The stored data has no recorded policy (a store from before policies were data). */
    readonly none: string;
  };
  readonly userPolicy: {
    readonly full: string;
    readonly pseudonym: string;
    readonly drop: string;
    readonly none: string;
  };
  readonly rawWindow: (days: number) => string;
  readonly threshold: (k: number) => string;
}

const EN: Messages = {
  lang: 'en',
  locale: 'en-GB',
  title: (site) => `Web statistics for ${site}`,
  period: 'Period',
  totals: 'Totals',
  hits: 'Hits',
  visitors: 'Visitors',
  visits: 'Visits',
  pages: 'Page views',
  ips: 'Addresses',
  bytes: 'Traffic',
  bots: 'Bot hits',
  perDay: 'Per day',
  topLists: 'Top lists',
  date: 'Date',
  chartDays: (from, to) => `Hits and visitors per day, ${from} to ${to}`,
  chartHours: 'Hits per hour of the day',
  hourOfDay: 'Hour',
  rank: '#',
  share: '%',
  other: '(other)',
  emptyKey: '(unknown)',
  noData: 'no data',
  ftp: 'FTP transfers',
  transfers: 'Transfers',
  rejected: 'Rejected lines',
  rejectedLines: 'Rejected lines',
  reason: 'Reason',
  lines: 'Lines',
  privacy: 'Privacy',
  dataSources: 'Data sources',
  generatedBy: 'Generated by weblog',
  bounces: 'Bounces',
  bounceRate: 'Bounce rate',
  avgVisit: 'Average visit',
  explainTitle: 'What the numbers mean',
  explain: {
    hits: 'Every request the web server answered: pages, images, scripts, errors; crawlers included.',
    visitors: 'Unique visitors per day, added up over the days: someone who comes on three days counts three times.',
    visits: 'Series of requests from one visitor without a pause longer than the visit timeout (30 minutes unless the provider set another).',
    pages: 'Requests for pages (HTML and the like), not for images, styles or scripts.',
    ips: 'Distinct client addresses, shortened or replaced as the privacy policy below says.',
    bots: 'Requests from known crawlers and other programs that say they are one.',
    bytes: 'Data sent to visitors (response bodies).',
    bounceRate: 'Share of visits that saw only one page.',
    avgVisit: 'Time from the first to the last request of a visit, averaged over all visits.',
  },
  comparedWith: (from, to) => `compared with ${from} – ${to}`,
  deltaNew: 'new',
  deltaSame: 'unchanged',
  previousPeriod: 'Previous period',
  perMonth: 'Per month',
  month: 'Month',
  chartMonths: (from, to) => `Hits and visitors per month, ${from} to ${to}`,
  tableOf: (title) => `${title}: table`,
  dayStats: 'Per day: lowest, average, highest',
  minimum: 'Lowest',
  average: 'Average',
  maximum: 'Highest',
  total: 'Total',
  statusClasses: 'Answers by status class',
  statusClass: {
    '1': '1xx Informational',
    '2': '2xx Success',
    '3': '3xx Redirection',
    '4': '4xx Client error',
    '5': '5xx Server error',
  },
  statusNames: {
    '200': 'OK',
    '201': 'Created',
    '204': 'No content',
    '206': 'Partial content',
    '301': 'Moved permanently',
    '302': 'Found (moved temporarily)',
    '303': 'See other',
    '304': 'Not modified (cached copy still valid)',
    '307': 'Temporary redirect',
    '308': 'Permanent redirect',
    '400': 'Bad request',
    '401': 'Login required',
    '403': 'Forbidden',
    '404': 'Not found',
    '405': 'Method not allowed',
    '408': 'Request timeout',
    '410': 'Gone',
    '413': 'Request too large',
    '416': 'Range not satisfiable',
    '429': 'Too many requests',
    '444': 'Connection closed without answer (nginx)',
    '499': 'Client closed the connection (nginx)',
    '500': 'Internal server error',
    '502': 'Bad gateway',
    '503': 'Service unavailable',
    '504': 'Gateway timeout',
    '-': 'No status logged',
  },
  notListed: 'Codes not listed',
  requests: 'Requests',
  totalTime: 'Total time',
  avgTime: 'Average',
  maxTime: 'Slowest',
  versions: 'Versions',
  showVersions: (n) => (n === 1 ? '1 version' : `${n} versions`),
  unknownBrowsers: '“Unknown” are programs that do not name a browser; most of them are crawlers (see bot hits).',
  keyNames: {
    Unknown: 'Unknown',
    desktop: 'Desktop',
    mobile: 'Mobile phone',
    tablet: 'Tablet',
    tv: 'TV',
    console: 'Game console',
    wearable: 'Wearable',
    embedded: 'Embedded device',
    bot: 'Bot',
  },
  undeduplicated: 'Visitors and visits of days marked * were ingested in separate runs that could not be matched up, so a visitor may be counted more than once.',
  web: 'Website',
  shareOf: (label) => `Share of ${label}`,
  rest: 'Rest',
  breaks: [],
  groups: { pages: 'Pages', sources: 'Where visitors come from', technology: 'Browsers and devices', requests: 'Requests and answers', clients: 'Addresses and users' },
  lists: {
    ips: 'Visitor addresses',
    urls: 'Requested pages and files',
    notFound: 'Not found (404)',
    referrers: 'Referring URLs',
    referringSites: 'Referring sites',
    searchTerms: 'Search terms',
    users: 'Authenticated users',
    browsers: 'Browsers',
    os: 'Operating systems',
    devices: 'Devices',
    countries: 'Countries',
    statusCodes: 'HTTP status codes',
    hours: 'Hours of the day',
    entryPages: 'Entry pages',
    exitPages: 'Exit pages',
    browserVersions: 'Browser versions',
    osVersions: 'Operating system versions',
    fileTypes: 'File types',
    methods: 'Request methods',
    protocols: 'Protocols',
    slowPages: 'Slow pages',
    ftpFiles: 'Transferred files',
    ftpIps: 'FTP client addresses',
    ftpUsers: 'FTP users',
  },
  keyColumn: {
    ips: 'Address',
    urls: 'URL',
    notFound: 'URL',
    referrers: 'Referrer',
    referringSites: 'Site',
    searchTerms: 'Search term',
    users: 'User',
    browsers: 'Browser',
    os: 'Operating system',
    devices: 'Device',
    countries: 'Country',
    statusCodes: 'Status',
    hours: 'Hour',
    entryPages: 'URL',
    exitPages: 'URL',
    browserVersions: 'Version',
    osVersions: 'Version',
    fileTypes: 'Type',
    methods: 'Method',
    protocols: 'Protocol',
    slowPages: 'URL',
    ftpFiles: 'File',
    ftpIps: 'Address',
    ftpUsers: 'User',
  },
  reasons: {
    empty: 'empty line',
    too_long: 'line too long',
    bad_ip: 'invalid client address',
    bad_time: 'invalid timestamp',
    bad_status: 'invalid status code',
    bad_bytes: 'invalid byte count',
    bad_quote: 'unbalanced quotes',
    missing_field: 'missing field',
    trailing_garbage: 'unexpected data at end of line',
    no_site: 'no matching site',
    format_mismatch: 'does not match the log format',
    bad_duration: 'invalid request duration',
  },
  ipPolicy: {
    full: 'IP addresses: kept in full (not anonymised)',
    mask: (v4, v6) => `IP addresses: shortened to /${v4} (IPv4) and /${v6} (IPv6)`,
    pseudonym: 'IP addresses: replaced by per-site pseudonyms that change daily',
    drop: 'IP addresses: not kept',
    none: 'IP addresses: policy not recorded',
  },
  userPolicy: {
    full: 'User names: kept as logged (not anonymised)',
    pseudonym: 'User names: replaced by per-site pseudonyms that change daily',
    drop: 'User names: not kept',
    none: 'User names: policy not recorded',
  },
  rawWindow: (days) => (days > 0 ? `Raw log lines: kept for ${days} days, then deleted` : 'Raw log lines: not kept'),
  threshold: (k) => (k > 1 ? `Addresses and user names seen fewer than ${k} times: not listed` : 'Addresses and user names: all listed'),
};

const DE: Messages = {
  lang: 'de',
  locale: 'de-DE',
  title: (site) => `Webstatistik für ${site}`,
  period: 'Zeitraum',
  totals: 'Gesamt',
  hits: 'Zugriffe',
  visitors: 'Besucher',
  visits: 'Besuche',
  pages: 'Seitenaufrufe',
  ips: 'Adressen',
  bytes: 'Datenvolumen',
  bots: 'Bot-Zugriffe',
  perDay: 'Pro Tag',
  topLists: 'Ranglisten',
  date: 'Datum',
  chartDays: (from, to) => `Zugriffe und Besucher pro Tag, ${from} bis ${to}`,
  chartHours: 'Zugriffe pro Tageszeit',
  hourOfDay: 'Stunde',
  rank: 'Nr.',
  share: '%',
  other: '(sonstige)',
  emptyKey: '(unbekannt)',
  noData: 'keine Daten',
  ftp: 'FTP-Übertragungen',
  transfers: 'Übertragungen',
  rejected: 'Verworfene Zeilen',
  rejectedLines: 'Verworfene Zeilen',
  reason: 'Grund',
  lines: 'Zeilen',
  privacy: 'Datenschutz',
  dataSources: 'Datenquellen',
  generatedBy: 'Erstellt mit weblog',
  bounces: 'Absprünge',
  bounceRate: 'Absprungrate',
  avgVisit: 'Mittlere Besuchsdauer',
  explainTitle: 'Was die Zahlen bedeuten',
  explain: {
    hits: 'Jede Anfrage, die der Webserver beantwortet hat: Seiten, Bilder, Skripte, Fehler; Crawler eingeschlossen.',
    visitors: 'Eindeutige Besucher pro Tag, über die Tage addiert: Wer an drei Tagen kommt, zählt dreimal.',
    visits: 'Folgen von Anfragen eines Besuchers ohne längere Pause als die Besuchs-Zeitgrenze (30 Minuten, sofern der Anbieter nichts anderes eingestellt hat).',
    pages: 'Anfragen nach Seiten (HTML und Ähnliches), nicht nach Bildern, Stilen oder Skripten.',
    ips: 'Verschiedene Client-Adressen, gekürzt oder ersetzt, wie es die Datenschutzrichtlinie unten angibt.',
    bots: 'Anfragen bekannter Crawler und anderer Programme, die sich als solche ausweisen.',
    bytes: 'An Besucher gesendete Daten (Antwortinhalte).',
    bounceRate: 'Anteil der Besuche mit nur einer Seite.',
    avgVisit: 'Zeit von der ersten bis zur letzten Anfrage eines Besuchs, gemittelt über alle Besuche.',
  },
  comparedWith: (from, to) => `im Vergleich zu ${from} – ${to}`,
  deltaNew: 'neu',
  deltaSame: 'unverändert',
  previousPeriod: 'Vorheriger Zeitraum',
  perMonth: 'Pro Monat',
  month: 'Monat',
  chartMonths: (from, to) => `Zugriffe und Besucher pro Monat, ${from} bis ${to}`,
  tableOf: (title) => `${title}: Tabelle`,
  dayStats: 'Pro Tag: niedrigster, mittlerer, höchster Wert',
  minimum: 'Niedrigster',
  average: 'Mittel',
  maximum: 'Höchster',
  total: 'Gesamt',
  statusClasses: 'Antworten nach Statusklasse',
  statusClass: {
    '1': '1xx Information',
    '2': '2xx Erfolgreich',
    '3': '3xx Umleitung',
    '4': '4xx Fehler der Anfrage',
    '5': '5xx Fehler des Servers',
  },
  statusNames: {
    '200': 'OK',
    '201': 'Erstellt',
    '204': 'Kein Inhalt',
    '206': 'Teilinhalt',
    '301': 'Dauerhaft verschoben',
    '302': 'Gefunden (vorübergehend verschoben)',
    '303': 'Siehe andere Adresse',
    '304': 'Nicht geändert (zwischengespeicherte Kopie gültig)',
    '307': 'Vorübergehende Umleitung',
    '308': 'Dauerhafte Umleitung',
    '400': 'Fehlerhafte Anfrage',
    '401': 'Anmeldung erforderlich',
    '403': 'Verboten',
    '404': 'Nicht gefunden',
    '405': 'Methode nicht erlaubt',
    '408': 'Zeitüberschreitung der Anfrage',
    '410': 'Entfernt',
    '413': 'Anfrage zu groß',
    '416': 'Bereich nicht erfüllbar',
    '429': 'Zu viele Anfragen',
    '444': 'Verbindung ohne Antwort geschlossen (nginx)',
    '499': 'Client hat die Verbindung geschlossen (nginx)',
    '500': 'Interner Serverfehler',
    '502': 'Fehlerhaftes Gateway',
    '503': 'Dienst nicht verfügbar',
    '504': 'Gateway-Zeitüberschreitung',
    '-': 'Kein Status protokolliert',
  },
  notListed: 'Nicht aufgeführte Codes',
  requests: 'Anfragen',
  totalTime: 'Gesamtzeit',
  avgTime: 'Mittel',
  maxTime: 'Langsamste',
  versions: 'Versionen',
  showVersions: (n) => (n === 1 ? '1 Version' : `${n} Versionen`),
  unknownBrowsers: '„Unbekannt“ sind Programme, die keinen Browser nennen; die meisten davon sind Crawler (siehe Bot-Zugriffe).',
  keyNames: {
    Unknown: 'Unbekannt',
    desktop: 'Desktop',
    mobile: 'Mobiltelefon',
    tablet: 'Tablet',
    tv: 'Fernseher',
    console: 'Spielkonsole',
    wearable: 'Wearable',
    embedded: 'Eingebettetes Gerät',
    bot: 'Bot',
  },
  undeduplicated: 'Besucher und Besuche der mit * markierten Tage stammen aus getrennten Läufen, die nicht abgeglichen werden konnten; ein Besucher kann daher mehrfach gezählt sein.',
  web: 'Website',
  shareOf: (label) => `Anteile: ${label}`,
  rest: 'Rest',
  breaks: ['Daten|volumen', 'Seiten|aufrufe', 'Über|tragungen', 'Betriebs|system', 'Nied|rigster', 'Höchs|ter', 'Such|begriff'],
  groups: { pages: 'Seiten', sources: 'Herkunft der Besucher', technology: 'Browser und Geräte', requests: 'Anfragen und Antworten', clients: 'Adressen und Benutzer' },
  lists: {
    ips: 'Besucheradressen',
    urls: 'Angeforderte Seiten und Dateien',
    notFound: 'Nicht gefunden (404)',
    referrers: 'Verweisende URLs',
    referringSites: 'Verweisende Websites',
    searchTerms: 'Suchbegriffe',
    users: 'Angemeldete Benutzer',
    browsers: 'Browser',
    os: 'Betriebssysteme',
    devices: 'Geräte',
    countries: 'Länder',
    statusCodes: 'HTTP-Statuscodes',
    hours: 'Tageszeiten',
    entryPages: 'Einstiegsseiten',
    exitPages: 'Ausstiegsseiten',
    browserVersions: 'Browser-Versionen',
    osVersions: 'Betriebssystem-Versionen',
    fileTypes: 'Dateitypen',
    methods: 'Anfragemethoden',
    protocols: 'Protokolle',
    slowPages: 'Langsame Seiten',
    ftpFiles: 'Übertragene Dateien',
    ftpIps: 'FTP-Client-Adressen',
    ftpUsers: 'FTP-Benutzer',
  },
  keyColumn: {
    ips: 'Adresse',
    urls: 'URL',
    notFound: 'URL',
    referrers: 'Verweis',
    referringSites: 'Website',
    searchTerms: 'Suchbegriff',
    users: 'Benutzer',
    browsers: 'Browser',
    os: 'Betriebssystem',
    devices: 'Gerät',
    countries: 'Land',
    statusCodes: 'Status',
    hours: 'Stunde',
    entryPages: 'URL',
    exitPages: 'URL',
    browserVersions: 'Version',
    osVersions: 'Version',
    fileTypes: 'Typ',
    methods: 'Methode',
    protocols: 'Protokoll',
    slowPages: 'URL',
    ftpFiles: 'Datei',
    ftpIps: 'Adresse',
    ftpUsers: 'Benutzer',
  },
  reasons: {
    empty: 'leere Zeile',
    too_long: 'Zeile zu lang',
    bad_ip: 'ungültige Client-Adresse',
    bad_time: 'ungültiger Zeitstempel',
    bad_status: 'ungültiger Statuscode',
    bad_bytes: 'ungültige Byte-Anzahl',
    bad_quote: 'fehlerhafte Anführungszeichen',
    missing_field: 'fehlendes Feld',
    trailing_garbage: 'unerwartete Daten am Zeilenende',
    no_site: 'keine passende Website',
    format_mismatch: 'passt nicht zum Log-Format',
    bad_duration: 'ungültige Bearbeitungsdauer',
  },
  ipPolicy: {
    full: 'IP-Adressen: vollständig gespeichert (nicht anonymisiert)',
    mask: (v4, v6) => `IP-Adressen: gekürzt auf /${v4} (IPv4) und /${v6} (IPv6)`,
    pseudonym: 'IP-Adressen: durch täglich wechselnde Pseudonyme je Website ersetzt',
    drop: 'IP-Adressen: nicht gespeichert',
    none: 'IP-Adressen: Richtlinie nicht erfasst',
  },
  userPolicy: {
    full: 'Benutzernamen: wie protokolliert gespeichert (nicht anonymisiert)',
    pseudonym: 'Benutzernamen: durch täglich wechselnde Pseudonyme je Website ersetzt',
    drop: 'Benutzernamen: nicht gespeichert',
    none: 'Benutzernamen: Richtlinie nicht erfasst',
  },
  rawWindow: (days) => (days > 0 ? `Protokollzeilen: ${days} Tage aufbewahrt, dann gelöscht` : 'Protokollzeilen: nicht aufbewahrt'),
  threshold: (k) => (k > 1 ? `Adressen und Benutzernamen, die seltener als ${k}-mal vorkamen: nicht aufgeführt` : 'Adressen und Benutzernamen: alle aufgeführt'),
};

export const MESSAGES: Readonly<Record<Lang, Messages>> = { en: EN, de: DE };

/** Unknown tags fall back to English, so a stray `?lang=fr` never breaks a page. */
export function messages(lang: string | undefined): Messages {
  return lang === 'de' ? DE : EN;
}

/** Label of a reject reason; reasons this build does not know are shown by their id. */
export function reasonLabel(m: Messages, reason: string): string {
  return Object.hasOwn(m.reasons, reason) ? m.reasons[reason as RejectReason] : reason;
}

/** The IP policies of a report's data in the reader's language (several: the policy changed). */
export function describeIpPolicy(m: Messages, policies: readonly IpPolicySpec[]): string {
  if (policies.length === 0) return m.ipPolicy.none;
  return policies.map((p) => (p.mode === 'mask' ? m.ipPolicy.mask(p.v4 ?? 0, p.v6 ?? 0) : m.ipPolicy[p.mode])).join('; ');
}

export function describeUserPolicy(m: Messages, policies: readonly UserPolicySpec[]): string {
  if (policies.length === 0) return m.userPolicy.none;
  return policies.map((p) => m.userPolicy[p.mode]).join('; ');
}
