/**
 * The pipeline file (pipelines/*.yaml|json): its JSON Schema, its TypeScript types and its defaults.
 * docs/configuration.md documents every property of this schema; a test keeps the two in sync.
 *
 * The schema checks shape and ranges; rules that relate two fields (a fixed route needs a site,
 * an apache format needs its LogFormat…) live in config.ts, where they get a message that names
 * both fields.
 */
import { PRESETS, VHOST_PRESETS } from '../parse/index.js';

export const SOURCE_TYPES = ['file', 'stdin'] as const;
/** The presets come from the parse stage's one list. */
export const FORMAT_TYPES = [...PRESETS, 'auto', 'apache', 'nginx'] as const;
/** Formats that carry the virtual host, so vhost routing can work (templates: assumed, not checked). */
export const VHOST_FORMAT_TYPES: readonly FormatType[] = [...VHOST_PRESETS, 'apache', 'nginx', 'auto'];
/** Formats defined by a `logFormat` template instead of a preset. */
export const TEMPLATE_FORMAT_TYPES = ['apache', 'nginx'] as const;
export const ROUTING_TYPES = ['fixed', 'vhost', 'file'] as const;
export const UNKNOWN_SITE_POLICIES = ['reject', 'accept'] as const;
export const IP_POLICIES = ['full', 'mask', 'pseudonym', 'drop'] as const;
export const USER_POLICIES = ['full', 'pseudonym', 'drop'] as const;
export const QUERY_POLICIES = ['drop', 'keep'] as const;

export type SourceType = (typeof SOURCE_TYPES)[number];
export type FormatType = (typeof FORMAT_TYPES)[number];
export type RoutingType = (typeof ROUTING_TYPES)[number];
export type UnknownSitePolicy = (typeof UNKNOWN_SITE_POLICIES)[number];
export type IpPolicy = (typeof IP_POLICIES)[number];
export type UserPolicy = (typeof USER_POLICIES)[number];
export type QueryPolicy = (typeof QUERY_POLICIES)[number];

export interface SourceConfig {
  type: SourceType;
  /** Files or globs; relative ones are resolved against the pipeline file's directory. */
  paths: string[];
  follow: boolean;
}

export interface FormatConfig {
  type: FormatType;
  /** Apache LogFormat / nginx log_format string; set exactly when type is apache or nginx. */
  logFormat: string | null;
}

export interface RoutingConfig {
  type: RoutingType;
  /** The one site of fixed routing (lower case); null otherwise. */
  site: string | null;
  /** File routing: path (resolved) or base name → site (lower case). */
  files: Record<string, string>;
  /** Vhost routing: what happens to a vhost that no site claims. */
  unknown: UnknownSitePolicy;
}

export interface PrivacyConfig {
  ip: IpPolicy;
  ipv4Prefix: number;
  ipv6Prefix: number;
  user: UserPolicy;
  query: QueryPolicy;
  /** Query parameters kept even with query: drop (e.g. page, lang). */
  queryAllow: string[];
  rawWindowDays: number;
}

export interface SiteConfig {
  /** Host names (vhosts, lower case) that belong to the site; the site name itself comes first. */
  hosts: string[];
  /** Last day (YYYY-MM-DD) of the hosting contract, null when open-ended. */
  contractEnd: string | null;
  /** The global privacy settings with this site's overrides applied. */
  privacy: PrivacyConfig;
}

export interface EnrichConfig {
  ua: boolean;
  geo: boolean;
  /** Country .mmdb file; null means the bundled DB-IP Lite database. */
  geoDatabase: string | null;
  referrers: boolean;
  trustedProxies: string[];
  pageExtensions: string[];
}

export interface MetricsConfig {
  count4xxVisitors: boolean;
  ignoreCrawlers: boolean;
  visitTimeoutMinutes: number;
  topKeysPerDay: number;
}

export interface StoreConfig {
  /** SQLite file (or a URL a later store understands); null: the CLI's --store / WEBLOG_STORE. */
  path: string | null;
}

/** A validated pipeline with every default filled in. */
export interface PipelineConfig {
  name: string;
  source: SourceConfig;
  format: FormatConfig;
  routing: RoutingConfig;
  /** Keyed by lower-case site name. */
  sites: Record<string, SiteConfig>;
  enrich: EnrichConfig;
  metrics: MetricsConfig;
  privacy: PrivacyConfig;
  store: StoreConfig;
}

/**
 * Everything the file may leave out (the parsed file's type once the schema accepted it). A
 * filled PipelineConfig is also a valid input: validation is idempotent.
 */
export interface PipelineConfigInput {
  name?: string;
  source: { type: SourceType; paths?: string[]; follow?: boolean };
  format?: { type?: FormatType; logFormat?: string | null };
  routing?: { type?: RoutingType; site?: string | null; files?: Record<string, string>; unknown?: UnknownSitePolicy };
  sites?: Record<string, { hosts?: string[]; contractEnd?: string | null; privacy?: Partial<PrivacyConfig> }>;
  enrich?: Partial<EnrichConfig>;
  metrics?: Partial<MetricsConfig>;
  privacy?: Partial<PrivacyConfig>;
  store?: { path?: string | null };
}

export interface PipelineDefaults {
  source: Omit<SourceConfig, 'type'>;
  format: FormatConfig;
  routing: RoutingConfig;
  enrich: EnrichConfig;
  metrics: MetricsConfig;
  privacy: PrivacyConfig;
  store: StoreConfig;
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** The values the loader fills in for omitted fields. Frozen: copy before changing. */
export const DEFAULT_PIPELINE: Readonly<PipelineDefaults> = deepFreeze({
  source: { paths: [], follow: false },
  format: { type: 'auto', logFormat: null },
  routing: { type: 'vhost', site: null, files: {}, unknown: 'reject' },
  enrich: {
    ua: true,
    geo: true,
    geoDatabase: null,
    referrers: true,
    trustedProxies: [],
    pageExtensions: ['html', 'htm', 'php', 'asp', 'aspx', 'jsp', 'cgi', 'shtml'],
  },
  metrics: { count4xxVisitors: false, ignoreCrawlers: false, visitTimeoutMinutes: 30, topKeysPerDay: 100_000 },
  privacy: { ip: 'mask', ipv4Prefix: 24, ipv6Prefix: 48, user: 'pseudonym', query: 'drop', queryAllow: [], rawWindowDays: 7 },
  store: { path: null },
} satisfies PipelineDefaults);

const D = DEFAULT_PIPELINE;

/** Host-name-like label. Any case is accepted; the loader lower-cases it, as parsed vhosts are. */
export const SITE_NAME_PATTERN = '^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$';
export const DATE_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';
export const EXTENSION_PATTERN = '^[a-z0-9]{1,16}$';

const privacyProperties = {
  ip: { enum: IP_POLICIES, description: 'How client IP addresses are kept.' },
  ipv4Prefix: { type: 'integer', minimum: 0, maximum: 32, description: 'IPv4 bits kept by ip: mask.' },
  ipv6Prefix: { type: 'integer', minimum: 0, maximum: 128, description: 'IPv6 bits kept by ip: mask.' },
  user: { enum: USER_POLICIES, description: 'How RFC 2617 user names are kept.' },
  query: { enum: QUERY_POLICIES, description: 'Keep or drop URL query strings.' },
  queryAllow: {
    type: 'array',
    items: { type: 'string', pattern: '^[A-Za-z0-9_.\\[\\]-]{1,64}$' },
    uniqueItems: true,
    description: 'Query parameters kept even when query is drop.',
  },
  rawWindowDays: { type: 'integer', minimum: 0, maximum: 365, description: 'Days raw lines may be kept for reprocessing; 0 = none.' },
} as const;

export const pipelineConfigSchema = {
  $id: 'https://weblog.invalid/schemas/pipeline.json',
  title: 'weblog pipeline',
  type: 'object',
  additionalProperties: false,
  required: ['source'],
  definitions: {
    siteName: { type: 'string', pattern: SITE_NAME_PATTERN },
    nonEmptyString: { type: 'string', minLength: 1, maxLength: 4096 },
    // null = not set: what `key:` with no value means in YAML, and what a filled config holds, so
    // that validatePipeline(filledConfig) is accepted again (the CLI re-validates after overrides).
    optionalString: { type: ['string', 'null'], minLength: 1, maxLength: 4096 },
    optionalSiteName: { type: ['string', 'null'], pattern: SITE_NAME_PATTERN },
  },
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'A label for logs and messages.' },
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      description: 'Where lines come from.',
      properties: {
        type: { enum: SOURCE_TYPES, description: 'file or stdin.' },
        paths: {
          type: 'array',
          items: { $ref: '#/definitions/nonEmptyString' },
          uniqueItems: true,
          default: D.source.paths,
          description: 'Files or globs to read (file source).',
        },
        follow: { type: 'boolean', default: D.source.follow, description: 'Keep reading appended lines (tail -F).' },
      },
    },
    format: {
      type: 'object',
      additionalProperties: false,
      description: 'How lines are parsed.',
      properties: {
        type: { enum: FORMAT_TYPES, default: D.format.type, description: 'Preset, auto-detect, or apache/nginx template.' },
        logFormat: { $ref: '#/definitions/optionalString', description: 'LogFormat / log_format string for apache / nginx.' },
      },
    },
    routing: {
      type: 'object',
      additionalProperties: false,
      description: 'Which site a line belongs to.',
      properties: {
        type: { enum: ROUTING_TYPES, default: D.routing.type, description: 'fixed, vhost or file.' },
        site: { $ref: '#/definitions/optionalSiteName', description: 'The site of fixed routing.' },
        files: {
          type: 'object',
          propertyNames: { minLength: 1, maxLength: 4096 },
          additionalProperties: { $ref: '#/definitions/siteName' },
          description: 'File routing: path or base name → site.',
        },
        unknown: { enum: UNKNOWN_SITE_POLICIES, default: D.routing.unknown, description: 'Vhost that no site claims.' },
      },
    },
    sites: {
      type: 'object',
      propertyNames: { pattern: SITE_NAME_PATTERN },
      description: 'Per-site settings, keyed by site name.',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          hosts: {
            type: 'array',
            items: { $ref: '#/definitions/siteName' },
            uniqueItems: true,
            description: 'Vhosts that belong to this site.',
          },
          contractEnd: { type: ['string', 'null'], pattern: DATE_PATTERN, description: 'Last day of the contract.' },
          privacy: {
            type: 'object',
            additionalProperties: false,
            properties: privacyProperties,
            description: 'Overrides of the global privacy settings.',
          },
        },
      },
    },
    enrich: {
      type: 'object',
      additionalProperties: false,
      description: 'What is learnt from each line.',
      properties: {
        ua: { type: 'boolean', default: D.enrich.ua, description: 'Browser, OS, device and bot from the User-Agent.' },
        geo: { type: 'boolean', default: D.enrich.geo, description: 'Country from the client IP.' },
        geoDatabase: { $ref: '#/definitions/optionalString', description: 'Country .mmdb file.' },
        referrers: { type: 'boolean', default: D.enrich.referrers, description: 'Classify referrers, extract search terms.' },
        trustedProxies: {
          type: 'array',
          items: { type: 'string', minLength: 1, maxLength: 64 },
          default: D.enrich.trustedProxies,
          description: 'Proxies whose X-Forwarded-For is believed (IP or CIDR).',
        },
        pageExtensions: {
          type: 'array',
          items: { type: 'string', pattern: EXTENSION_PATTERN },
          uniqueItems: true,
          default: D.enrich.pageExtensions,
          description: 'Extensions counted as page views.',
        },
      },
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      description: 'How numbers are counted.',
      properties: {
        count4xxVisitors: { type: 'boolean', default: D.metrics.count4xxVisitors, description: '4xx hits count as visitors.' },
        ignoreCrawlers: { type: 'boolean', default: D.metrics.ignoreCrawlers, description: 'Drop bot hits.' },
        visitTimeoutMinutes: {
          type: 'integer',
          minimum: 1,
          maximum: 1440,
          default: D.metrics.visitTimeoutMinutes,
          description: 'Inactivity that ends a visit.',
        },
        topKeysPerDay: {
          type: 'integer',
          minimum: 1,
          maximum: 10_000_000,
          default: D.metrics.topKeysPerDay,
          description: 'Distinct keys kept per site, day and list.',
        },
      },
    },
    privacy: {
      type: 'object',
      additionalProperties: false,
      description: 'What is kept of personal data.',
      properties: {
        ip: { ...privacyProperties.ip, default: D.privacy.ip },
        ipv4Prefix: { ...privacyProperties.ipv4Prefix, default: D.privacy.ipv4Prefix },
        ipv6Prefix: { ...privacyProperties.ipv6Prefix, default: D.privacy.ipv6Prefix },
        user: { ...privacyProperties.user, default: D.privacy.user },
        query: { ...privacyProperties.query, default: D.privacy.query },
        queryAllow: { ...privacyProperties.queryAllow, default: D.privacy.queryAllow },
        rawWindowDays: { ...privacyProperties.rawWindowDays, default: D.privacy.rawWindowDays },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      description: 'Where aggregates are written.',
      properties: {
        path: { $ref: '#/definitions/optionalString', description: 'SQLite file.' },
      },
    },
  },
} as const;
