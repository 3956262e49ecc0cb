import fs from 'fs';
const { damagedCopies } = await import('./dist/src/testing/fit-damage.js');
const { judgeRepair } = await import('./dist/src/testing/repair-judge.js');
const { sdkDecode, parseWithFitFileParser } = await import('./dist/src/testing/fit-reference.js');
const { classifyFit } = await import('./dist/src/formats/fit/classify.js');
const clean = new Uint8Array(fs.readFileSync('/work/shared/corpus/fit/20170518-191602-1740899583.fit'));
let t=performance.now(); sdkDecode(clean); console.log('sdk', performance.now()-t);
t=performance.now(); await parseWithFitFileParser(clean); console.log('ffp', performance.now()-t);
t=performance.now(); classifyFit(clean); console.log('classify', performance.now()-t);
for (const c of damagedCopies(clean, { cuts: 8, flips: 2 })) { t=performance.now(); await judgeRepair(c.bytes); console.log(c.what, (performance.now()-t).toFixed(0)); }
