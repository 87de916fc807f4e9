/**
 * Labels of the web UI's own chrome (login, navigation, range form, downloads), English and
 * German. Report labels come from report/render/i18n.ts, so pages and reports agree.
 */
import type { Lang } from '../../report/render/index.js';

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
  readonly privacyTitle: string;
  readonly privacyText: readonly string[];
  readonly defaultPolicy: string;
  readonly errorTitle: (status: number) => string;
  readonly backToLogin: string;
  readonly backToSites: string;
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
  privacyTitle: 'How these statistics are made',
  privacyText: [
    'These statistics are made from the web server access logs of your site. Visitor addresses are anonymised before anything is stored, as the policy shown on each page says; raw log lines are not kept.',
    'Visitors are counted with a keyed hash whose key changes every day and differs per site, so visitors cannot be followed across days or sites.',
    'Countries are looked up from the address before it is anonymised.',
  ],
  defaultPolicy: 'Policy for new data',
  errorTitle: (s) => (s === 404 ? 'Not found' : s === 401 ? 'Please log in' : s === 403 ? 'Not allowed' : s === 429 ? 'Too many requests' : 'Something went wrong'),
  backToLogin: 'Go to the login page',
  backToSites: 'Back to your sites',
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
  privacyTitle: 'Wie diese Statistik entsteht',
  privacyText: [
    'Diese Statistik entsteht aus den Zugriffsprotokollen des Webservers Ihrer Website. Besucheradressen werden anonymisiert, bevor etwas gespeichert wird, wie es die Richtlinie auf jeder Seite angibt; Protokollzeilen werden nicht aufbewahrt.',
    'Besucher werden mit einem verschlüsselten Hash gezählt, dessen Schlüssel täglich wechselt und je Website verschieden ist; Besucher lassen sich daher nicht über Tage oder Websites hinweg verfolgen.',
    'Länder werden aus der Adresse ermittelt, bevor sie anonymisiert wird.',
  ],
  defaultPolicy: 'Richtlinie für neue Daten',
  errorTitle: (s) =>
    s === 404 ? 'Nicht gefunden' : s === 401 ? 'Bitte anmelden' : s === 403 ? 'Nicht erlaubt' : s === 429 ? 'Zu viele Anfragen' : 'Ein Fehler ist aufgetreten',
  backToLogin: 'Zur Anmeldeseite',
  backToSites: 'Zurück zu Ihren Websites',
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
