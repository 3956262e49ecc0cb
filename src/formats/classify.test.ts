import { describe, expect, it } from 'vitest';
import { generateFitActivity } from '../testing/fit-generator.js';
import { classifyFile } from './classify.js';
import { createGpxClassifier } from './gpx/classify.js';
import { createTcxClassifier } from './tcx/classify.js';

describe('classifyFile', () => {
  it.each(['run.fit', 'track.gpx', 'ride.tcx', 'notes.txt'])('says "empty file" for an empty %s', (name) => {
    expect(classifyFile(name, new Uint8Array(0))).toMatchObject({ verdict: 'skip', kind: 'empty', reason: 'empty file', points: 0 });
  });

  it('says "empty file" for a file of zero bytes only (room made for a recording never written)', () => {
    expect(classifyFile('2025-01-05-18-00-00.fit', new Uint8Array(4096))).toMatchObject({ verdict: 'skip', format: 'fit', reason: 'empty file (4096 zero bytes)' });
  });

  it('says so when a file is fed in pieces too (the streaming GPX and TCX classifiers)', () => {
    expect(createGpxClassifier().finish()).toMatchObject({ verdict: 'skip', kind: 'empty', reason: 'empty file' });
    const tcx = createTcxClassifier();
    tcx.write(new Uint8Array(512));
    tcx.write(new Uint8Array(512));
    expect(tcx.finish()).toMatchObject({ verdict: 'skip', kind: 'empty', reason: 'empty file (1024 zero bytes)' });
  });

  it('still reads what is not empty: UTF-16 big-endian XML starts with a zero byte', () => {
    const gpx = '<gpx version="1.1"><trk><trkseg><trkpt lat="46" lon="14"><time>2024-05-01T06:00:00Z</time></trkpt><trkpt lat="46.1" lon="14"><time>2024-05-01T06:01:00Z</time></trkpt></trkseg></trk></gpx>';
    const utf16be = Uint8Array.from([...gpx].flatMap((c) => [0, c.charCodeAt(0)]));
    expect(classifyFile('track.gpx', utf16be)).not.toMatchObject({ kind: 'empty' });
    expect(classifyFile('run.fit', generateFitActivity({ start: new Date('2025-01-05T18:00:00Z'), durationS: 60 }))).toMatchObject({ verdict: 'upload' });
  });
});
