/**
 * The record that leaves the anonymise stage: integers only. Every text a line carried is an id
 * into a dictionary owned by the stage that made it (paths, User-Agents, Referers, methods,
 * protocols: enrich and anonymise), and the client and user are ids into the anonymiser's own
 * tables, whose only way out is the text the privacy policy allows (AnonKeys below). So neither
 * the aggregator nor a store can see a raw address or user name: there is no field, id or method
 * through which one could reach them.
 *
 * Reused: the anonymiser overwrites it for every line.
 */
declare const anonHitBrand: unique symbol;

export interface AnonHit {
  readonly [anonHitBrand]: true;
  /** Site-day slot of the batch (see SiteDays). */
  sd: number;
  /** Unix seconds. */
  time: number;
  hour: number;
  status: number;
  bytes: number;
  /** Microseconds the server took; -1 when not logged. */
  timeTakenUs: number;
  page: boolean;
  /** Counts towards unique visitors and visits (GoAccess leaves out 4xx unless told otherwise). */
  countsAsVisitor: boolean;
  bot: boolean;
  ftp: boolean;
  /** The visitor within the batch (address × User-Agent); -1 when the line has none. */
  client: number;
  /** Address key in the anonymiser's table; -1 when the policy drops addresses. */
  ipKey: number;
  /** User key in the anonymiser's table; -1 for none. */
  userKey: number;
  /** The `urls` key: id in the path dictionary (path and what the policy keeps of the query, or the request text when it had no path). */
  path: number;
  /** User-Agent id (enrich). */
  ua: number;
  /** Referer id (enrich); -1 for none. */
  ref: number;
  /** ISO country code as two packed char codes (c1 << 8 | c2); 0 when unknown. */
  country: number;
  /** Method and protocol ids in their dictionaries; -1 for none. */
  method: number;
  protocol: number;
  /** File type id (extension dictionary); -1 when the path has none or is no path. */
  fileType: number;
}

/** Construction is reserved to the anonymise stage (the brand cannot be named elsewhere). */
export type AnonHitFields = Omit<AnonHit, typeof anonHitBrand>;

/**
 * What the anonymise stage lets out of its tables at the end of a batch, per site-day: the text
 * the privacy policy allows for an address or user key ('' for none), and the visitor id
 * (a keyed hash of the full address and User-Agent under the site-day's key).
 */
export interface AnonKeys {
  ipText(sd: number, ipKey: number): string;
  userText(sd: number, userKey: number): string;
  visitorId(sd: number, client: number): number;
  /** Identifies the key the site-day's visitor ids were made with (stores merge visitors only under one key). */
  keyGen(sd: number): string;
}
