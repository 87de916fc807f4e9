import fs from 'node:fs';
import YAML from 'yaml';
import UAParser from 'ua-parser-js';
const ua = YAML.parse(fs.readFileSync('/work/shared/data/useragents/test_ua.yaml','utf8')).test_cases;
const os = YAML.parse(fs.readFileSync('/work/shared/data/useragents/test_os.yaml','utf8')).test_cases;
const p = new UAParser();
const norm = s => s.toLowerCase().replace(/[^a-z0-9]/g,'');
function dump(cases, field, file) {
  const pairs = new Map(); let same=0;
  for (const c of cases) { const r = p.setUA(c.user_agent_string).getResult(); const got = r[field].name ?? 'Unknown'; if (norm(got)===norm(c.family)) { same++; continue; } const k = c.family + ' => ' + got; pairs.set(k, (pairs.get(k)||0)+1); }
  fs.writeFileSync(file, [...pairs].sort((a,b)=>b[1]-a[1]).map(([k,v])=>v+'  '+k).join('\n'));
  console.log(field, 'same after norm', same, '/', cases.length);
}
dump(ua, 'browser', '/tmp/ua-pairs.txt'); dump(os, 'os', '/tmp/os-pairs.txt');
