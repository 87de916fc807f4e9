/**
 * The top lists a weblog keeps, with the small integer ids the stores persist. Ids are stable:
 * never renumber or reuse one.
 */
export const TOP_LISTS = [
  'ips',
  'urls',
  'notFound',
  'referrers',
  'referringSites',
  'searchTerms',
  'users',
  'browsers',
  'os',
  'devices',
  'countries',
  'statusCodes',
  'hours',
  'entryPages',
  'exitPages',
  'browserVersions',
  'osVersions',
  'fileTypes',
  'methods',
  'protocols',
  'slowPages',
] as const;
export type TopList = (typeof TOP_LISTS)[number];

/** FTP transfers (xferlog) are their own section: they are not web hits. */
export const FTP_LISTS = ['ftpFiles', 'ftpIps', 'ftpUsers'] as const;
export type FtpList = (typeof FTP_LISTS)[number];

export type ListName = TopList | FtpList;

export const LIST_IDS: Readonly<Record<ListName, number>> = {
  ips: 1,
  urls: 2,
  notFound: 3,
  referrers: 4,
  referringSites: 5,
  searchTerms: 6,
  users: 7,
  browsers: 8,
  os: 9,
  devices: 10,
  countries: 11,
  statusCodes: 12,
  hours: 13,
  ftpFiles: 14,
  ftpIps: 15,
  ftpUsers: 16,
  entryPages: 17,
  exitPages: 18,
  browserVersions: 19,
  osVersions: 20,
  fileTypes: 21,
  methods: 22,
  protocols: 23,
  slowPages: 24,
};

/** One more than the largest list id: the size of arrays indexed by list id. */
export const LIST_SLOTS = 25;

export const LIST_NAMES: readonly ListName[] = Object.keys(LIST_IDS) as ListName[];
