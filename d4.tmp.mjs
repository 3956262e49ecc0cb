import fs from 'fs';
const { sdkDecode } = await import('./dist/src/testing/fit-reference.js');
const b = new Uint8Array(fs.readFileSync('/work/shared/corpus/fit/null_compressed_speed_dist.fit'));
const m = sdkDecode(b).messages;
m.slice(0,6).forEach(x=>console.log(x.num, JSON.stringify(x.fields).slice(0,200)));
console.log(m.filter(x=>x.num!==20).map(x=>x.num+':'+x.fields.timestamp).join(' '));
