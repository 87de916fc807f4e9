const t0 = process.hrtime.bigint();
const { isCrawler } = await import('./src/enrich/bots.js');
isCrawler('Mozilla/5.0');
console.log('bots first-use (load+compile) ms', (Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1));
const t1 = process.hrtime.bigint();
const { createReferrerClassifier } = await import('./src/enrich/referrer.js');
createReferrerClassifier({ hosts: [] });
console.log('referrer tables load ms', (Number(process.hrtime.bigint() - t1) / 1e6).toFixed(1));
