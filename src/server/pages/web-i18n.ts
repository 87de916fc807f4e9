/**
 * Labels of the web UI's own chrome (login, navigation, range form, downloads), English and
 * German. Report labels come from report/render/i18n.ts, so pages and reports agree.
 */
import type { Lang } from '../../report/index.js';

export interface WebMessages {
  readonly appName: string;
  readonly skip: string;
  readonly mainNav: string;
  readonly sites: string;
  readonly logout: string;
  readonly login: string;
  readonly loginTitle: string;
  readonly loginIntro: string;
  readonly tokenLabel: string;
  readonly tokenHelp: string;
  readonly loginFailed: string;
  readonly language: string;
  readonly range: string;
  readonly last7: string;
  readonly last30: string;
  readonly month: string;
  readonly custom: string;
  readonly all: string;
  readonly from: string;
  readonly to: string;
  readonly show: string;
  readonly download: (table: string, format: string) => string;
  readonly noSites: string;
  readonly site: string;
  readonly period: string;
  readonly policy: string;
  readonly noDataInRange: string;
  readonly privacyNotice: string;
  readonly defaultPolicy: string;
  readonly errorTitle: (status: number) => string;
  readonly backToLogin: string;
  readonly backToSites: string;
  readonly today: (date: string) => string;
  readonly liveLoaded: string;
  readonly liveOn: (time: string) => string;
  readonly liveOff: string;
  readonly overviewIntro: (days: number) => string;
  readonly sparkline: (from: string, to: string, min: string, max: string) => string;
  readonly noDataYet: string;
  readonly openReport: (site: string) => string;
  readonly operator: string;
  readonly operatorIntro: string;
  readonly customer: string;
  readonly hits30: string;
  readonly rejected: string;
  readonly lastData: string;
  readonly lastIngest: string;
  readonly lastIngestNote: string;
  readonly rawWindow: string;
  readonly rawHeld: (days: number, size: string) => string;
  readonly contractEnd: string;
  readonly retention: string;
  readonly retentionActive: string;
  readonly retentionEnds: (date: string) => string;
  readonly retentionEnded: (date: string) => string;
  readonly none: string;
  readonly rawNone: string;
  readonly days: (n: number) => string;
}

const EN: WebMessages = {
  appName: 'weblog',
  skip: 'Skip to content',
  mainNav: 'Main navigation',
  sites: 'Your sites',
  logout: 'Log out',
  login: 'Log in',
  loginTitle: 'Log in to your web statistics',
  loginIntro: 'Use the access token your hosting provider gave you.',
  tokenLabel: 'Access token',
  tokenHelp: 'Starts with wl_. It is never shown again after it was created; ask your provider for a new one if it is lost.',
  loginFailed: 'That token was not accepted.',
  language: 'Language',
  range: 'Period',
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  month: 'Month',
  custom: 'Custom',
  all: 'Everything',
  from: 'From',
  to: 'To',
  show: 'Show',
  download: (table, format) => `Download “${table}” as ${format}`,
  noSites: 'No sites are assigned to your account yet.',
  site: 'Site',
  period: 'Data from – to',
  policy: 'Privacy',
  noDataInRange: 'No data in this period.',
  privacyNotice: 'Privacy notice',
  defaultPolicy: 'Policy for new data',
  errorTitle: (s) => (s === 404 ? 'Not found' : s === 401 ? 'Please log in' : s === 403 ? 'Not allowed' : s === 429 ? 'Too many requests' : 'Something went wrong'),
  backToLogin: 'Go to the login page',
  backToSites: 'Back to your sites',
  today: (date) => `Today, ${date}`,
  liveLoaded: 'As of loading this page. Reload to update.',
  liveOn: (time) => `Live: updates as data arrives (as of ${time}).`,
  liveOff: 'Live updates paused; reload the page to update.',
  overviewIntro: (days) => `Headline numbers of the last ${days} days with data of each site.`,
  sparkline: (from, to, min, max) => `Hits per day from ${from} to ${to}: lowest ${min}, highest ${max}`,
  noDataYet: 'No data yet.',
  openReport: (site) => `Open the weblog of ${site}`,
  operator: 'All sites',
  operatorIntro: 'Every site in the store, for operators: traffic, rejected lines, ingests and what the retention rules keep.',
  customer: 'Customer',
  hits30: 'Hits, last 30 days',
  rejected: 'Rejected lines',
  lastData: 'Last day with data',
  lastIngest: 'Last ingest via this server',
  lastIngestNote: 'Ingests by the command line or another server are not seen here; the last day with data shows them.',
  rawWindow: 'Raw window',
  rawHeld: (days, size) => `${days} ${days === 1 ? 'day' : 'days'} held, ${size}`,
  contractEnd: 'Contract end',
  retention: 'Retention',
  retentionActive: 'kept (no contract end)',
  retentionEnds: (date) => `weblog deleted on ${date}`,
  retentionEnded: (date) => `deleted at the next purge (due ${date})`,
  none: '–',
  rawNone: 'none held',
  days: (n) => `${n} ${n === 1 ? 'day' : 'days'}`,
};

const DE: WebMessages = {
  appName: 'weblog',
  skip: 'Zum Inhalt springen',
  mainNav: 'Hauptnavigation',
  sites: 'Ihre Websites',
  logout: 'Abmelden',
  login: 'Anmelden',
  loginTitle: 'Anmeldung zur Webstatistik',
  loginIntro: 'Verwenden Sie den Zugangsschlüssel Ihres Hosting-Anbieters.',
  tokenLabel: 'Zugangsschlüssel',
  tokenHelp: 'Beginnt mit wl_. Er wird nach dem Erstellen nie wieder angezeigt; bei Verlust erhalten Sie von Ihrem Anbieter einen neuen.',
  loginFailed: 'Dieser Zugangsschlüssel wurde nicht akzeptiert.',
  language: 'Sprache',
  range: 'Zeitraum',
  last7: 'Letzte 7 Tage',
  last30: 'Letzte 30 Tage',
  month: 'Monat',
  custom: 'Benutzerdefiniert',
  all: 'Alles',
  from: 'Von',
  to: 'Bis',
  show: 'Anzeigen',
  download: (table, format) => `„${table}“ als ${format} herunterladen`,
  noSites: 'Ihrem Konto sind noch keine Websites zugeordnet.',
  site: 'Website',
  period: 'Daten von – bis',
  policy: 'Datenschutz',
  noDataInRange: 'Keine Daten in diesem Zeitraum.',
  privacyNotice: 'Datenschutzhinweis',
  defaultPolicy: 'Richtlinie für neue Daten',
  errorTitle: (s) =>
    s === 404 ? 'Nicht gefunden' : s === 401 ? 'Bitte anmelden' : s === 403 ? 'Nicht erlaubt' : s === 429 ? 'Zu viele Anfragen' : 'Ein Fehler ist aufgetreten',
  backToLogin: 'Zur Anmeldeseite',
  backToSites: 'Zurück zu Ihren Websites',
  today: (date) => `Heute, ${date}`,
  liveLoaded: 'Stand beim Laden der Seite. Neu laden zum Aktualisieren.',
  liveOn: (time) => `Live: wird aktualisiert, sobald Daten eintreffen (Stand ${time}).`,
  liveOff: 'Live-Aktualisierung unterbrochen; laden Sie die Seite neu.',
  overviewIntro: (days) => `Kennzahlen der letzten ${days} Tage mit Daten je Website.`,
  sparkline: (from, to, min, max) => `Zugriffe pro Tag von ${from} bis ${to}: niedrigster Wert ${min}, höchster ${max}`,
  noDataYet: 'Noch keine Daten.',
  openReport: (site) => `Webstatistik von ${site} öffnen`,
  operator: 'Alle Websites',
  operatorIntro: 'Alle Websites im Speicher, für Betreiber: Zugriffe, verworfene Zeilen, Importe und was die Aufbewahrungsregeln behalten.',
  customer: 'Kunde',
  hits30: 'Zugriffe, letzte 30 Tage',
  rejected: 'Verworfene Zeilen',
  lastData: 'Letzter Tag mit Daten',
  lastIngest: 'Letzter Import über diesen Server',
  lastIngestNote: 'Importe über die Kommandozeile oder einen anderen Server sind hier nicht sichtbar; der letzte Tag mit Daten zeigt sie.',
  rawWindow: 'Rohdaten-Fenster',
  rawHeld: (days, size) => `${days} ${days === 1 ? 'Tag' : 'Tage'} gespeichert, ${size}`,
  contractEnd: 'Vertragsende',
  retention: 'Aufbewahrung',
  retentionActive: 'wird behalten (kein Vertragsende)',
  retentionEnds: (date) => `Webstatistik wird am ${date} gelöscht`,
  retentionEnded: (date) => `wird beim nächsten Bereinigen gelöscht (fällig ${date})`,
  none: '–',
  rawNone: 'keine gespeichert',
  days: (n) => `${n} ${n === 1 ? 'Tag' : 'Tage'}`,
};

export function webMessages(lang: Lang): WebMessages {
  return lang === 'de' ? DE : EN;
}

/** `?lang=` wins; otherwise the best of en/de in Accept-Language; otherwise English. */
export function pickLang(query: unknown, acceptLanguage: string | undefined): Lang {
  if (query === 'de' || query === 'en') return query;
  if (acceptLanguage === undefined) return 'en';
  let best: Lang = 'en';
  let bestQ = -1;
  for (const part of acceptLanguage.split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q' && v !== undefined) q = Number(v);
    }
    if (!Number.isFinite(q)) continue;
    const primary = tag.split('-')[0];
    if ((primary === 'de' || primary === 'en') && q > bestQ) {
      best = primary;
      bestQ = q;
    }
  }
  return best;
}
