import fs from 'node:fs';
import YAML from 'yaml';
import { isCrawler } from './src/enrich/bots.js';
const dev = YAML.parse(fs.readFileSync('/work/shared/data/useragents/test_device.yaml','utf8')).test_cases as {user_agent_string:string,family:string}[];
const non = dev.filter(c => c.family !== 'Spider'); const sp = dev.filter(c => c.family === 'Spider');
const fp = non.filter(c => isCrawler(c.user_agent_string));
console.log('non-bot', non.length, 'FP', fp.length, (fp.length/non.length*100).toFixed(3)+'%', 'non-WhatsApp FP', fp.filter(c=>!c.user_agent_string.includes('WhatsApp')).length, 'spider recall', sp.filter(c=>isCrawler(c.user_agent_string)).length, '/', sp.length);
const j = JSON.parse(fs.readFileSync('data/crawler-user-agents.json','utf8')) as {pattern:string,instances:string[]}[];
let miss = 0; for (const e of j) for (const i of e.instances ?? []) if (!isCrawler(i)) { miss++; console.log('MISS', i); } console.log('instances missed', miss);
