import fs from 'fs';
const { damagedCopies } = await import('./dist/src/testing/fit-damage.js');
const { sdkDecode } = await import('./dist/src/testing/fit-reference.js');
const { MessageLog } = await import('./dist/src/formats/fit/message-log.js');
const { scanFit } = await import('./dist/src/formats/fit/scan.js');
const clean = new Uint8Array(fs.readFileSync('/work/shared/corpus/fit/garmin-fenix-5-run.fit'));
const copies = damagedCopies(clean, { cuts: 8, flips: 2 });
const c = copies.find(c => c.what.startsWith(process.argv[2]));
const ref = sdkDecode(c.bytes);
console.log(c.what, 'sdk msgs', ref.messages.length, ref.errors);
const log = new MessageLog(); const scan = scanFit(c.bytes, { sink: log });
console.log('log', log.length, scan.segments[0].faults);
for (let i = Math.max(0, ref.messages.length-5); i < Math.min(log.length, ref.messages.length + 8); i++) {
  const d = log.definitionOf(i);
  console.log(i, 'pos', log.pos[i], 'global', d.global, 'time', log.time[i], 'sdk', ref.messages[i]?.num, ref.messages[i]?.fields?.timestamp);
}
