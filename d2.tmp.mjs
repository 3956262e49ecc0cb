import fs from 'fs';
const { damagedCopies } = await import('./dist/src/testing/fit-damage.js');
const { sdkDecode, sdkDecodeLogged } = await import('./dist/src/testing/fit-reference.js');
const { MessageLog } = await import('./dist/src/formats/fit/message-log.js');
const { scanFit } = await import('./dist/src/formats/fit/scan.js');
const { classifyFit } = await import('./dist/src/formats/fit/classify.js');
const clean = new Uint8Array(fs.readFileSync('/work/shared/corpus/fit/20170518-191602-1740899583.fit'));
const c = damagedCopies(clean, { cuts: 8, flips: 2 }).find(c => c.what.startsWith('flip in a record header at 44816'));
const a = classifyFit(c.bytes);
const out = sdkDecode(a.repaired.bytes).messages;
const log = new MessageLog(); scanFit(c.bytes, { sink: log });
for (let i = 0; i < log.length; i++) if (log.definitionOf(i).global === 4889) { const d = log.definitionOf(i); console.log('log', i, 'pos', log.pos[i], 'flags', log.flags[i], 'def at', d.at, 'size', d.size, 'little', d.little, JSON.stringify(sdkDecodeLogged(c.bytes, log, i)), Buffer.from(c.bytes.subarray(d.at, d.end)).toString('hex')); }
out.forEach((m, i) => { if (m.num === 4889) console.log('out', i, JSON.stringify(m.fields)); });
