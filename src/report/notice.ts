/**
 * The privacy notice of a site, made from its effective policy (issue 13, item 4): the raw
 * window, the IP and user-name policies of its stored data (with prefixes), the publication
 * threshold, the retention rule and the contract end. Nothing in it is written by hand per site,
 * so it cannot promise what the configuration does not do. The `/privacy` page shows it, and
 * docs/privacy.md carries the same sentences as its template section (a test compares both ways).
 *
 * Each sentence is a template: a function of the values it names. Their parameters accept
 * strings too, so the docs test can render every template with `{name}` placeholders.
 */
import type { IpPolicySpec, UserPolicySpec } from '../core/policy.js';
import type { Lang } from './render/index.js';

/** What a notice is made from: one site's effective policy. */
export interface NoticeInput {
  /** The site, or null for the notice of data not yet received (the server's policy for new data). */
  readonly site: string | null;
  /** Policies of the site's stored data, oldest first (the policy for new data when there is none yet). */
  readonly ip: readonly IpPolicySpec[];
  readonly user: readonly UserPolicySpec[];
  readonly rawWindowDays: number;
  readonly threshold: number;
  /** Countries are looked up (from the full address, locally). */
  readonly countries: boolean;
  readonly contractEnd: string | null;
  /** The day the site's weblog is deleted (pipeline/retention.ts weblogDeletionDay); null without a contract end. */
  readonly deletionDay: string | null;
}

type P = string | number;

/** Every sentence a notice can have, by id. The ids are the rows of docs/privacy.md's template. */
export interface NoticeTemplates {
  readonly title: (site: P) => string;
  readonly titleNew: string;
  readonly intro: string;
  readonly rawKept: (days: P) => string;
  readonly rawNone: string;
  readonly ipMask: (v4: P, v6: P) => string;
  readonly ipPseudonym: string;
  readonly ipDrop: string;
  readonly ipFull: string;
  readonly ipNone: string;
  readonly ipChanged: string;
  readonly userPseudonym: string;
  readonly userDrop: string;
  readonly userFull: string;
  readonly userNone: string;
  readonly threshold: (k: P) => string;
  readonly thresholdNone: string;
  readonly visitors: (days: P) => string;
  readonly visitorsNoWindow: string;
  readonly countries: string;
  readonly scrub: string;
  readonly retentionEnd: (end: P, deletion: P) => string;
  readonly retentionOpen: string;
}

const EN: NoticeTemplates = {
  title: (site) => `Privacy notice for the web statistics of ${site}`,
  titleNew: 'Privacy notice for the web statistics',
  intro: 'These statistics are made from the access logs of the web server: every request to the site is logged with the visitor’s IP address, the time, the page, the referring page and the browser, and the user name where a password-protected area was used.',
  rawKept: (days) =>
    `The log lines themselves, with full IP addresses and user names, are kept for ${days} days (to correct the statistics and to investigate abuse) and then deleted automatically; every deletion is recorded.`,
  rawNone: 'The log lines themselves are not kept: each line is counted when it is read and then discarded.',
  ipMask: (v4, v6) => `In the statistics, IP addresses are shortened to their first ${v4} bits (IPv4) and ${v6} bits (IPv6), so that they name a network, not a device.`,
  ipPseudonym: 'In the statistics, IP addresses are replaced by pseudonyms that differ per site and change every day.',
  ipDrop: 'The statistics contain no IP addresses.',
  ipFull: 'The statistics contain full IP addresses: the operator chose not to anonymise them.',
  ipNone: 'The statistics do not record how IP addresses were treated.',
  ipChanged: 'The policy changed during the period of the stored statistics; each part of it is stated above.',
  userPseudonym: 'User names of password-protected areas are replaced by pseudonyms that differ per site and change every day.',
  userDrop: 'The statistics contain no user names.',
  userFull: 'The statistics contain user names as logged: the operator chose not to anonymise them.',
  userNone: 'The statistics do not record how user names were treated.',
  threshold: (k) => `An IP address or user name seen fewer than ${k} times in the period shown is not listed, only counted.`,
  thresholdNone: 'Every IP address and user name is listed, however rarely it was seen.',
  visitors: (days) =>
    `Visitors are counted with a keyed hash of the full IP address and browser. The key differs per site and per day and is destroyed together with the log lines after ${days} days; after that no one, the operator included, can link a count to an address.`,
  visitorsNoWindow:
    'Visitors are counted with a keyed hash of the full IP address and browser. The key differs per site and per day and is destroyed when the day is over; after that no one, the operator included, can link a count to an address.',
  countries: 'Countries are looked up from the full IP address in a local database, before the address is anonymised; no address is sent to anyone for this.',
  scrub: 'E-mail addresses, long numbers and token-like values are removed from page addresses, referrers and search terms before they are stored.',
  retentionEnd: (end, deletion) => `The contract ends on ${end}. The statistics are deleted on ${deletion}: at the end of that calendar year, and no earlier than 30 days after the contract end.`,
  retentionOpen: 'The statistics are kept while the contract runs. They are deleted at the end of the calendar year in which it ends, and no earlier than 30 days after its end.',
};

const DE: NoticeTemplates = {
  title: (site) => `Datenschutzhinweis zur Webstatistik von ${site}`,
  titleNew: 'Datenschutzhinweis zur Webstatistik',
  intro: 'Diese Statistik entsteht aus den Zugriffsprotokollen des Webservers: Jeder Abruf der Website wird mit der IP-Adresse des Besuchers, der Zeit, der Seite, der verweisenden Seite und dem Browser protokolliert, bei passwortgeschützten Bereichen auch mit dem Benutzernamen.',
  rawKept: (days) =>
    `Die Protokollzeilen selbst, mit vollständigen IP-Adressen und Benutzernamen, werden ${days} Tage aufbewahrt (um die Statistik zu berichtigen und Missbrauch aufzuklären) und danach automatisch gelöscht; jede Löschung wird protokolliert.`,
  rawNone: 'Die Protokollzeilen selbst werden nicht aufbewahrt: Jede Zeile wird beim Lesen gezählt und danach verworfen.',
  ipMask: (v4, v6) => `In der Statistik werden IP-Adressen auf ihre ersten ${v4} Bit (IPv4) und ${v6} Bit (IPv6) gekürzt, sodass sie ein Netz bezeichnen, kein Gerät.`,
  ipPseudonym: 'In der Statistik werden IP-Adressen durch Pseudonyme ersetzt, die je Website verschieden sind und täglich wechseln.',
  ipDrop: 'Die Statistik enthält keine IP-Adressen.',
  ipFull: 'Die Statistik enthält vollständige IP-Adressen: Der Betreiber hat sich gegen ihre Anonymisierung entschieden.',
  ipNone: 'Die Statistik hält nicht fest, wie IP-Adressen behandelt wurden.',
  ipChanged: 'Die Richtlinie hat sich im Zeitraum der gespeicherten Statistik geändert; jeder ihrer Teile ist oben genannt.',
  userPseudonym: 'Benutzernamen passwortgeschützter Bereiche werden durch Pseudonyme ersetzt, die je Website verschieden sind und täglich wechseln.',
  userDrop: 'Die Statistik enthält keine Benutzernamen.',
  userFull: 'Die Statistik enthält Benutzernamen wie protokolliert: Der Betreiber hat sich gegen ihre Anonymisierung entschieden.',
  userNone: 'Die Statistik hält nicht fest, wie Benutzernamen behandelt wurden.',
  threshold: (k) => `Eine IP-Adresse oder ein Benutzername, der im gezeigten Zeitraum seltener als ${k}-mal vorkam, wird nicht aufgeführt, nur mitgezählt.`,
  thresholdNone: 'Jede IP-Adresse und jeder Benutzername wird aufgeführt, wie selten er auch vorkam.',
  visitors: (days) =>
    `Besucher werden mit einem verschlüsselten Hash der vollständigen IP-Adresse und des Browsers gezählt. Der Schlüssel ist je Website und Tag verschieden und wird zusammen mit den Protokollzeilen nach ${days} Tagen vernichtet; danach kann niemand, auch nicht der Betreiber, eine Zählung einer Adresse zuordnen.`,
  visitorsNoWindow:
    'Besucher werden mit einem verschlüsselten Hash der vollständigen IP-Adresse und des Browsers gezählt. Der Schlüssel ist je Website und Tag verschieden und wird am Ende des Tages vernichtet; danach kann niemand, auch nicht der Betreiber, eine Zählung einer Adresse zuordnen.',
  countries: 'Länder werden aus der vollständigen IP-Adresse in einer lokalen Datenbank ermittelt, bevor die Adresse anonymisiert wird; dafür wird keine Adresse an jemanden gesendet.',
  scrub: 'E-Mail-Adressen, lange Ziffernfolgen und tokenartige Werte werden aus Seitenadressen, Verweisen und Suchbegriffen entfernt, bevor sie gespeichert werden.',
  retentionEnd: (end, deletion) => `Der Vertrag endet am ${end}. Die Statistik wird am ${deletion} gelöscht: am Ende dieses Kalenderjahres, frühestens 30 Tage nach Vertragsende.`,
  retentionOpen: 'Die Statistik wird für die Vertragsdauer aufbewahrt. Sie wird am Ende des Kalenderjahres gelöscht, in dem der Vertrag endet, frühestens 30 Tage nach Vertragsende.',
};

export const NOTICE_TEMPLATES: Readonly<Record<Lang, NoticeTemplates>> = { en: EN, de: DE };

export interface Notice {
  readonly title: string;
  /** Plain-text paragraphs (callers escape them for their output). */
  readonly paragraphs: readonly string[];
}

export function renderNotice(n: NoticeInput, lang: Lang): Notice {
  const t = NOTICE_TEMPLATES[lang];
  const out: string[] = [t.intro, n.rawWindowDays > 0 ? t.rawKept(n.rawWindowDays) : t.rawNone];
  if (n.ip.length === 0) out.push(t.ipNone);
  for (const p of n.ip) out.push(p.mode === 'mask' ? t.ipMask(p.v4 ?? 0, p.v6 ?? 0) : p.mode === 'pseudonym' ? t.ipPseudonym : p.mode === 'drop' ? t.ipDrop : t.ipFull);
  if (n.user.length === 0) out.push(t.userNone);
  for (const p of n.user) out.push(p.mode === 'pseudonym' ? t.userPseudonym : p.mode === 'drop' ? t.userDrop : t.userFull);
  if (n.ip.length > 1 || n.user.length > 1) out.push(t.ipChanged);
  out.push(n.threshold > 1 ? t.threshold(n.threshold) : t.thresholdNone);
  out.push(n.rawWindowDays > 0 ? t.visitors(n.rawWindowDays) : t.visitorsNoWindow);
  if (n.countries) out.push(t.countries);
  out.push(t.scrub);
  out.push(n.contractEnd !== null && n.deletionDay !== null ? t.retentionEnd(n.contractEnd, n.deletionDay) : t.retentionOpen);
  return { title: n.site !== null ? t.title(n.site) : t.titleNew, paragraphs: out };
}
