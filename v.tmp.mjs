import { Decoder, Stream } from '@garmin/fitsdk';
import FitParser from 'fit-file-parser';
import fs from 'fs';
const m = await import('/work/i14/dist/src/formats/classify.js');
const dir='/work/shared/corpus/fit/';
for (const f of fs.readdirSync(dir).filter(f=>/\.fit$/i.test(f))) {
  const a=m.classifyFile(f,new Uint8Array(fs.readFileSync(dir+f)));
  if (a.verdict!=='repair') continue;
  const b=Buffer.from(a.repaired.bytes);
  const d=new Decoder(Stream.fromBuffer(b));
  const integ=d.checkIntegrity();
  const {messages,errors}=d.read();
  let ffp='ok';
  try { const p=await new FitParser({force:false}).parseAsync(b); ffp='ok records='+p.records.length+' sessions='+p.sessions.length; } catch(e){ ffp='ERR '+e; }
  console.log(f, 'integrity',integ,'errors',errors.map(String), Object.keys(messages).map(k=>k.replace('Mesgs','')+':'+messages[k].length).join(' '), '| ffp', ffp);
}
