import fs from 'node:fs';
import YAML from 'yaml';
import { createUaClassifier, createReferrerClassifier, openGeoLookup } from './src/enrich/index.js';
import type { RawIp } from './src/core/record.js';
const lines = fs.readFileSync('/work/shared/data/logs/elastic_apache_logs.log', 'latin1').split('\n').filter(Boolean);
const uas = lines.map(l => l.split('"')[5] ?? ''); const refs = lines.map(l => { const r = l.split('"')[3] ?? ''; return r === '-' ? '' : r; }); const ips = lines.map(l => l.slice(0, l.indexOf(' ')) as RawIp);
function bench(name: string, n: number, f: () => void) { f(); const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(); const ns = Number(process.hrtime.bigint() - t0) / n / lines.length; console.log(`${name}: ${ns.toFixed(1)} ns/line`); }
const ua = createUaClassifier(); const rf = createReferrerClassifier({ hosts: ['semicomplete.com'] }); const geo = await openGeoLookup();
bench('ua hit path (elastic 10k lines, 559 distinct)', 200, () => { for (const u of uas) ua.classify(u); });
bench('referrer hit path', 200, () => { for (const r of refs) rf.classify(r); });
bench('geo hit path', 200, () => { for (const ip of ips) geo.country(ip); });
// miss paths: fresh classifier each round
const dev = (YAML.parse(fs.readFileSync('/work/shared/data/useragents/test_device.yaml', 'utf8')).test_cases as { user_agent_string: string }[]).map(c => c.user_agent_string);
let t0 = process.hrtime.bigint(); const fresh = createUaClassifier({ cacheSize: 100000 }); for (const u of dev) fresh.classify(u); console.log(`ua miss: ${(Number(process.hrtime.bigint() - t0) / dev.length / 1000).toFixed(1)} µs per distinct UA (${dev.length} uap device UAs)`);
const dref = [...new Set(refs)]; t0 = process.hrtime.bigint(); const fr = createReferrerClassifier({ hosts: ['semicomplete.com'] }); for (const r of dref) fr.classify(r); console.log(`referrer miss: ${(Number(process.hrtime.bigint() - t0) / dref.length / 1000).toFixed(1)} µs per distinct referrer (${dref.length})`);
const dip = [...new Set(ips)]; const g2 = await openGeoLookup(); t0 = process.hrtime.bigint(); for (const ip of dip) g2.country(ip); console.log(`geo miss: ${(Number(process.hrtime.bigint() - t0) / dip.length / 1000).toFixed(1)} µs per distinct IP (${dip.length})`);
t0 = process.hrtime.bigint(); await openGeoLookup(); console.log(`geo open: ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms`);
t0 = process.hrtime.bigint(); createReferrerClassifier({ hosts: [] }); console.log('referrer 2nd create ms', (Number(process.hrtime.bigint() - t0) / 1e6).toFixed(2));
