/**
 * Converts Matomo's search-engine and social-network lists (matomo-org/searchengine-and-social-list,
 * CC0-1.0) into the lookup tables src/enrich/referrer.ts loads:
 *
 *   npx tsx data/build-referrer-data.ts [DIR]     (DIR defaults to ../shared/data/referrers)
 *
 * writes data/search-engines.json and data/socials.json. Run it again when the YAML is updated and
 * commit the output; the product never reads the YAML.
 *
 * search-engines.json:
 *   engines:   one entry per Matomo definition block: { name, params, hidden?, charsets? }.
 *              `params` keeps Matomo's order; an entry written `/…/` is a regex over the whole
 *              referrer whose group 1 is the keyword, any other entry is a query parameter name.
 *              `hidden` is Matomo's `hiddenkeyword`: paths (`/…/` = regex over path?query#fragment,
 *              else the exact string) where the engine is known to send no keyword, so a referrer
 *              without one still counts as a search. `charsets` lists legacy keyword encodings.
 *   hosts:     host pattern → index into engines. Patterns are Matomo's: a host, optionally with a
 *              path (`bing.com/images/search`), where `{}` stands for a country code (see `countries`).
 *              When Matomo lists a host twice, the later block wins, as in Matomo's own loader.
 *   countries: lower-case ISO 3166-1 alpha-2 codes (plus `uk`) that the `{}` convention stands for.
 * socials.json:
 *   hosts:     domain → network name; a referrer matches the domain or any subdomain of it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

interface MatomoEngineBlock {
  urls?: unknown;
  params?: unknown;
  hiddenkeyword?: unknown;
  charsets?: unknown;
}

interface EngineOut {
  name: string;
  params: string[];
  hidden?: string[];
  charsets?: string[];
}

/**
 * ISO 3166-1 alpha-2, all 249 assigned codes, plus `uk` (a ccTLD that is not an ISO code). Matomo
 * takes this list from its region data; it is written out here so the output does not depend on the
 * ICU data of the Node that runs the script.
 */
const COUNTRIES = `ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br bs bt
bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg eh er es et fi fj
fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is
it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn
mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw
py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st sv sx sy sz tc td tf tg th tj tk tl tm tn
to tr tt tv tw tz ua ug um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw`
  .split(/\s+/)
  .filter((c) => c !== '');

function strings(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`${what}: not a string: ${JSON.stringify(v)}`);
    return String(v);
  });
}

/** Matomo writes regexes PHP-style, `/body/`; check that JavaScript compiles each one. */
function checkRegex(param: string, where: string, needsGroup: boolean): void {
  const end = param.lastIndexOf('/');
  if (end <= 0 || end !== param.length - 1) throw new Error(`${where}: unsupported regex (flags?) ${param}`);
  const re = new RegExp(param.slice(1, end));
  if (needsGroup && !/\((?!\?)/.test(re.source)) throw new Error(`${where}: regex param without a capture group: ${param}`);
}

/** Matomo's own test for "this hiddenkeyword entry is a regex". */
function isRegexEntry(s: string): boolean {
  return s.length > 1 && s.startsWith('/') && s.endsWith('/');
}

function buildSearchEngines(yamlText: string): { engines: EngineOut[]; hosts: Record<string, number>; duplicates: number } {
  const doc = parse(yamlText) as Record<string, MatomoEngineBlock[] | null>;
  const engines: EngineOut[] = [];
  const hosts = new Map<string, number>();
  let duplicates = 0;
  for (const [name, blocks] of Object.entries(doc)) {
    if (!Array.isArray(blocks)) continue;
    for (const block of blocks) {
      const urls = strings(block.urls, `${name}.urls`);
      if (urls.length === 0) continue;
      const params = strings(block.params, `${name}.params`);
      for (const p of params) if (p.startsWith('/')) checkRegex(p, `${name}.params`, true);
      const hidden = strings(block.hiddenkeyword, `${name}.hiddenkeyword`);
      for (const h of hidden) if (isRegexEntry(h)) checkRegex(h, `${name}.hiddenkeyword`, false);
      const charsets = strings(block.charsets, `${name}.charsets`).map((c) => c.toLowerCase());
      const engine: EngineOut = { name, params };
      if (hidden.length > 0) engine.hidden = hidden;
      const foreign = charsets.filter((c) => c !== 'utf-8' && c !== 'utf8');
      if (foreign.length > 0) {
        for (const c of foreign) new TextDecoder(c); // throws on a label Node cannot decode
        engine.charsets = foreign;
      }
      const index = engines.push(engine) - 1;
      for (const url of urls) {
        const key = url.toLowerCase();
        if (hosts.has(key)) duplicates++;
        hosts.set(key, index);
      }
    }
  }
  return { engines, hosts: Object.fromEntries([...hosts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), duplicates };
}

function buildSocials(yamlText: string): Record<string, string> {
  const doc = parse(yamlText) as Record<string, unknown>;
  const hosts = new Map<string, string>();
  for (const [name, domains] of Object.entries(doc)) {
    for (const d of strings(domains, name)) hosts.set(d.toLowerCase(), name);
  }
  return Object.fromEntries([...hosts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function main(): void {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const srcDir = process.argv[2] ?? fileURLToPath(new URL('../../shared/data/referrers/', import.meta.url));
  const source = 'matomo-org/searchengine-and-social-list (CC0-1.0), converted by data/build-referrer-data.ts';

  if (COUNTRIES.length !== 249) throw new Error(`expected 249 ISO codes, have ${COUNTRIES.length}`);
  const search = buildSearchEngines(readFileSync(`${srcDir}/matomo_SearchEngines.yml`, 'utf8'));
  const searchOut = { source, countries: [...COUNTRIES, 'uk'], engines: search.engines, hosts: search.hosts };
  writeFileSync(`${here}search-engines.json`, `${JSON.stringify(searchOut)}\n`);

  const socials = buildSocials(readFileSync(`${srcDir}/matomo_Socials.yml`, 'utf8'));
  writeFileSync(`${here}socials.json`, `${JSON.stringify({ source, hosts: socials }, null, 0)}\n`);

  console.log(
    `search-engines.json: ${search.engines.length} definitions, ${Object.keys(search.hosts).length} host patterns` +
      ` (${search.duplicates} listed twice, later wins); socials.json: ${Object.keys(socials).length} domains`,
  );
}

main();
