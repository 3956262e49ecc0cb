import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyGpx, createGpxClassifier, NO_RECORDED_TRACK } from './classify.js';

const CORPUS = new URL('../../../../shared/corpus/', import.meta.url);
const enc = new TextEncoder();

function corpusFile(name: string): Uint8Array {
  return readFileSync(new URL(name, CORPUS));
}

function expectedRows(): { file: string; outcome: string; why: string }[] {
  const lines = readFileSync(new URL('EXPECTED.tsv', CORPUS), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [file = '', outcome = '', why = ''] = line.split('\t');
    return { file, outcome, why };
  });
}

interface Pt {
  lat: number | string;
  lon: number | string;
  time?: string;
  ele?: number;
  extra?: string;
}

/** A GPX 1.1 document (or 1.0 with version '1.0'), with namespace prefix if asked. */
function gpx(
  segments: Pt[][],
  opts: { version?: '1.0' | '1.1'; prefix?: string; type?: string; creator?: string; before?: string } = {},
): Uint8Array {
  const v = opts.version ?? '1.1';
  const p = opts.prefix ? `${opts.prefix}:` : '';
  const ns = `http://www.topografix.com/GPX/${v.replace('.', '/')}`;
  const xmlns = opts.prefix ? `xmlns:${opts.prefix}="${ns}"` : `xmlns="${ns}"`;
  const pts = (seg: Pt[]) =>
    seg
      .map(
        (pt) =>
          `<${p}trkpt lat="${pt.lat}" lon="${pt.lon}">${pt.ele !== undefined ? `<${p}ele>${pt.ele}</${p}ele>` : ''}${pt.time ? `<${p}time>${pt.time}</${p}time>` : ''}${pt.extra ?? ''}</${p}trkpt>`,
      )
      .join('\n');
  return enc.encode(
    `<?xml version="1.0" encoding="UTF-8"?>\n<${p}gpx version="${v}" creator="${opts.creator ?? 'test'}" ${xmlns}>${opts.before ?? ''}
<${p}trk>${opts.type !== undefined ? `<${p}type>${opts.type}</${p}type>` : ''}
${segments.map((seg) => `<${p}trkseg>\n${pts(seg)}\n</${p}trkseg>`).join('\n')}
</${p}trk>
</${p}gpx>\n`,
  );
}

const T0 = '2024-05-01T06:00:00Z';
const T1 = '2024-05-01T06:00:10Z';
const T2 = '2024-05-01T06:01:40Z';
const run: Pt[] = [
  { lat: 46.0, lon: 14.0, time: T0, ele: 300 },
  { lat: 46.001, lon: 14.0, time: T1, ele: 301 },
  { lat: 46.002, lon: 14.0, time: T2, ele: 302 },
];

describe('corpus (EXPECTED.tsv)', () => {
  it('resolves the shared corpus', () => {
    // ../shared/corpus beside the checkout, wherever the checkout is (CI clones elsewhere).
    expect(existsSync(join(fileURLToPath(CORPUS), 'EXPECTED.tsv'))).toBe(true);
  });

  const rows = expectedRows().filter((row) => row.file.startsWith('gpx/'));

  it('has the GPX rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(28);
  });

  it.each(rows)('$file → $outcome', ({ file, outcome }) => {
    const activity = classifyGpx(corpusFile(file));
    expect(activity.verdict, activity.reason).toBe(outcome);
    expect(activity.format).toBe('gpx');
    expect(activity.reason).not.toContain('\n');
    if (outcome === 'upload') {
      expect(activity.kind).toBe('activity');
      expect(activity.reason).toMatch(/^track with \d+ timed points$/);
      expect(activity.identity).toMatch(/^gpx:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z:\d+:[0-9a-f]{16}$/);
      expect(activity.start).toBeDefined();
      expect(activity.durationS).toBeGreaterThanOrEqual(0);
    } else {
      expect(activity.reason).toBe(NO_RECORDED_TRACK);
    }
  });

  it('uploads cerknicko-without-times.gpx: its last 5 track points do have times', () => {
    const a = classifyGpx(corpusFile('gpx/cerknicko-without-times.gpx'));
    expect(a).toMatchObject({
      verdict: 'upload',
      reason: 'track with 5 timed points',
      points: 296,
      positions: 296,
      start: '2010-08-05T16:22:52.000Z',
      durationS: 57,
      device: { manufacturer: 'GPSBabel - http://www.gpsbabel.org' },
    });
  });

  it('summarises a real track', () => {
    const a = classifyGpx(corpusFile('gpx/cerknicko-jezero.gpx'));
    expect(a).toMatchObject({ points: 296, positions: 296, start: '2010-08-05T14:23:59.000Z', durationS: 7190 });
    expect(a.distanceM).toBeGreaterThan(4000);
    expect(a.distanceM).toBeLessThan(5000);
  });

  it('names what a skipped file is', () => {
    expect(classifyGpx(corpusFile('gpx/route.gpx')).kind).toBe('route');
    expect(classifyGpx(corpusFile('gpx/unicode_with_bom_noencoding.gpx')).kind).toBe('waypoints');
    expect(classifyGpx(corpusFile('gpx/track-with-extremes.gpx')).kind).toBe('track without times');
    expect(classifyGpx(corpusFile('gpx/default_schema_locations.gpx')).kind).toBe('empty');
  });
});

describe('classifyGpx', () => {
  it('reads GPX 1.0 and 1.1 alike', () => {
    const v10 = classifyGpx(gpx([run], { version: '1.0' }));
    const v11 = classifyGpx(gpx([run], { version: '1.1' }));
    for (const a of [v10, v11]) {
      expect(a).toMatchObject({
        format: 'gpx',
        kind: 'activity',
        verdict: 'upload',
        reason: 'track with 3 timed points',
        start: '2024-05-01T06:00:00.000Z',
        durationS: 100,
        points: 3,
        positions: 3,
        problems: [],
      });
    }
    // 0.002° of latitude ≈ 222.4 m
    expect(v11.distanceM).toBeCloseTo(222.4, 0);
  });

  it('matches local names under any namespace prefix, or none', () => {
    expect(classifyGpx(gpx([run], { prefix: 'gpx' })).verdict).toBe('upload');
    expect(classifyGpx(gpx([run], { prefix: 'topo' })).points).toBe(3);
    const bare = enc.encode(
      `<gpx><trk><trkseg><trkpt lat="1" lon="1"><time>${T0}</time></trkpt><trkpt lat="1" lon="1.001"><time>${T1}</time></trkpt></trkseg></trk></gpx>`,
    );
    expect(classifyGpx(bare).verdict).toBe('upload');
  });

  it('reads ISO-8859-1, a BOM without an encoding declaration, and UTF-16', () => {
    const body = (decl: string) =>
      `${decl}<gpx version="1.1" creator="Caf\u00e9 \u0151"><trk><trkseg><trkpt lat="1" lon="1"><time>${T0}</time></trkpt><trkpt lat="1" lon="1.001"><time>${T1}</time></trkpt></trkseg></trk></gpx>`;
    const latin1 = Buffer.from(body('<?xml version="1.0" encoding="ISO-8859-1"?>').replace(' \u0151', ''), 'latin1');
    expect(classifyGpx(latin1)).toMatchObject({ verdict: 'upload', device: { manufacturer: 'Café' } });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body('<?xml version="1.0"?>'), 'utf8')]);
    expect(classifyGpx(bom)).toMatchObject({ verdict: 'upload', device: { manufacturer: 'Café ő' } });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body('<?xml version="1.0" encoding="UTF-16"?>'), 'utf16le')]);
    expect(classifyGpx(utf16)).toMatchObject({ verdict: 'upload', device: { manufacturer: 'Café ő' } });
  });

  it('maps <trk><type> onto Map My Tracks activity types, Strava codes included', () => {
    const cases: [string, string | undefined][] = [
      ['running', 'running'],
      ['cycling', 'cycling'],
      ['9', 'running'],
      ['1', 'cycling'],
      ['Ride', 'cycling'],
      [' Hiking ', 'hiking'],
      ['mountain biking', 'mountain biking'],
      ['<![CDATA[walking]]>', 'walking'],
      ['jkljkl', undefined],
    ];
    for (const [type, expected] of cases) {
      const a = classifyGpx(gpx([run], { type }));
      expect(a.activityType, type).toBe(expected);
    }
    expect(classifyGpx(gpx([run], { type: '9' })).sport).toBe('9');
    expect(classifyGpx(gpx([run])).activityType).toBeUndefined();
  });

  it('ignores <type> that is not a direct child of <trk>', () => {
    const a = classifyGpx(gpx([run], { before: '<metadata><link href="x"><type>cycling</type></link></metadata><wpt lat="1" lon="1"><type>running</type></wpt>' }));
    expect(a.sport).toBeUndefined();
  });

  it('takes the device from the creator attribute', () => {
    expect(classifyGpx(gpx([run], { creator: 'Garmin Connect' })).device).toEqual({ manufacturer: 'Garmin Connect' });
  });

  it('builds the identity from first time, timed count and content hash', () => {
    const a = classifyGpx(gpx([run]));
    expect(a.identity).toMatch(/^gpx:2024-05-01T06:00:00\.000Z:3:[0-9a-f]{16}$/);
    expect(classifyGpx(gpx([run])).identity).toBe(a.identity);
    expect(classifyGpx(gpx([run], { creator: 'other' })).identity).not.toBe(a.identity);
  });

  it('needs 2 timed points with valid coordinates', () => {
    const drawn = run.map(({ lat, lon }) => ({ lat, lon }));
    expect(classifyGpx(gpx([drawn]))).toMatchObject({ verdict: 'skip', kind: 'track without times', reason: NO_RECORDED_TRACK, points: 3, positions: 3 });
    expect(classifyGpx(gpx([run.slice(0, 1)])).verdict).toBe('skip');
    const badCoords: Pt[] = [
      { lat: 91, lon: 14, time: T0 },
      { lat: '', lon: 14, time: T1 },
      { lat: 46, lon: 14, time: T2 },
    ];
    // Timed all the same: as in FIT and TCX, an activity without (enough) positions is an indoor one.
    expect(classifyGpx(gpx([badCoords]))).toMatchObject({ verdict: 'upload', points: 3, positions: 1, reason: 'indoor activity: 3 timed track points, 1 with a position' });
    const badTimes: Pt[] = [
      { lat: 46, lon: 14, time: '05-AUG-10 16:58:37' },
      { lat: 46, lon: 14.1, time: '2024-02-30T00:00:00Z' },
    ];
    expect(classifyGpx(gpx([badTimes])).verdict).toBe('skip');
  });

  it('uploads an indoor GPX (timed trkpt without lat/lon, as Strava and Wahoo exports write them) with its indoor type', () => {
    // Not valid against the GPX schema (lat and lon are required), but real: e.g. sethoscope/heatmap#60.
    const points = [0, 10, 20, 30].map((s) => `<trkpt><time>2024-05-01T06:00:${String(s).padStart(2, '0')}Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>${120 + s}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>`);
    const ride = enc.encode(`<?xml version="1.0"?><gpx version="1.1" creator="Wahoo ELEMNT BOLT" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"><trk><type>cycling</type><trkseg>${points.join('')}</trkseg></trk></gpx>`);
    const a = classifyGpx(ride);
    expect(a).toMatchObject({
      verdict: 'upload',
      kind: 'activity',
      reason: 'indoor activity: 4 timed track points, none with a position',
      activityType: 'indoor cycling',
      start: '2024-05-01T06:00:00.000Z',
      durationS: 30,
      points: 4,
      positions: 0,
    });
    expect(a.identity).toMatch(/^gpx:2024-05-01T06:00:00\.000Z:4:[0-9a-f]{16}$/);
    expect(a.distanceM).toBeUndefined();
  });

  it('takes 0,0 for "no fix", as FIT does: an indoor activity, and no jump to the Gulf of Guinea in a track', () => {
    const atZero = [T0, T1, T2].map((time) => ({ lat: 0, lon: 0, time }));
    expect(classifyGpx(gpx([atZero], { type: 'running' }))).toMatchObject({ verdict: 'upload', positions: 0, activityType: 'running', reason: 'indoor activity: 3 timed track points, none with a position' });
    const glitch = [run[0]!, { lat: 0, lon: 0, time: T1 }, run[2]!];
    const a = classifyGpx(gpx([glitch]));
    expect(a).toMatchObject({ verdict: 'upload', positions: 2, reason: 'track with 2 timed points' });
    expect(a.distanceM).toBeLessThan(1000);
  });

  it('counts only trk/trkseg/trkpt (and loose trk/trkpt), not points elsewhere', () => {
    const pt = (t: string) => `<trkpt lat="1" lon="1"><time>${t}</time></trkpt>`;
    const elsewhere = enc.encode(`<gpx><rte>${pt(T0)}${pt(T1)}</rte><extensions><trk><trkseg>${pt(T0)}${pt(T1)}</trkseg></trk></extensions></gpx>`);
    expect(classifyGpx(elsewhere)).toMatchObject({ verdict: 'skip', points: 0 });
    const loose = enc.encode(`<gpx><trk>${pt(T0)}${pt(T1)}</trk></gpx>`);
    expect(classifyGpx(loose)).toMatchObject({ verdict: 'upload', points: 2 });
  });

  it('sums distance within segments, not across them', () => {
    const a = classifyGpx(gpx([
      [{ lat: 0, lon: 1, time: T0 }, { lat: 1, lon: 1, time: T1 }],
      [{ lat: 10, lon: 1, time: T2 }, { lat: 11, lon: 1, time: '2024-05-01T07:00:00Z' }],
    ]));
    // two segments of one degree of latitude each (≈ 111.195 km), no 9° jump between
    expect(a.distanceM! / 1000).toBeCloseTo(222.39, 1);
  });

  it('never reports a negative duration for out-of-order times', () => {
    const a = classifyGpx(gpx([[{ lat: 1, lon: 1, time: T2 }, { lat: 1, lon: 1.001, time: T0 }]]));
    expect(a).toMatchObject({ start: '2024-05-01T06:00:00.000Z', durationS: 100 });
  });

  it('reads a Garmin track with heart-rate extensions', () => {
    const ext = '<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>140</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>';
    expect(classifyGpx(gpx([run.map((pt) => ({ ...pt, extra: ext }))], { before: '' })).verdict).toBe('upload');
  });

  it('refuses a DTD and never shows /etc/passwd', () => {
    const doc = enc.encode(
      `<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<gpx><trk><type>&xxe;</type><trkseg><trkpt lat="1" lon="1"><time>${T0}</time></trkpt><trkpt lat="1" lon="2"><time>${T1}</time></trkpt></trkseg></trk></gpx>`,
    );
    const a = classifyGpx(doc);
    expect(a).toMatchObject({ verdict: 'skip', kind: 'invalid', reason: 'XML with a DTD is refused (entity expansion is unsafe)' });
    expect(JSON.stringify(a)).not.toMatch(/root:|nologin|bin\/bash/);
  });

  it('skips a document that is not a GPX', () => {
    const a = classifyGpx(enc.encode('<TrainingCenterDatabase><Activities/></TrainingCenterDatabase>'));
    expect(a).toMatchObject({ verdict: 'skip', kind: 'invalid', reason: 'not a GPX document (root element <TrainingCenterDatabase>)' });
  });

  it('skips malformed XML with the parser reason and position', () => {
    const a = classifyGpx(enc.encode('<gpx>\n<trk>\n<trkseg>\n</trk>'));
    expect(a.verdict).toBe('skip');
    expect(a.reason).toMatch(/^malformed XML: 4:\d+: /);
  });

  it('never throws on truncations of a real file', () => {
    const bytes = corpusFile('gpx/track-with-empty-segment.gpx');
    for (let cut = 0; cut < bytes.length - 1; cut += 7) {
      const a = classifyGpx(bytes.subarray(0, cut));
      expect(a.verdict, `cut at ${cut}`).toBe('skip');
      expect(a.reason.length).toBeGreaterThan(0);
    }
    const big = corpusFile('gpx/korita-zbevnica.gpx');
    for (let cut = 1; cut < big.length - 1; cut += 997) {
      expect(classifyGpx(big.subarray(0, cut)).verdict).toBe('skip');
    }
  });

  it('never throws on random bytes', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let round = 0; round < 100; round++) {
      const bytes = Uint8Array.from({ length: Math.floor(rand() * 3000) }, () => Math.floor(rand() * 256));
      const a = classifyGpx(bytes);
      expect(a.verdict).toBe('skip');
    }
  });

  it('classifies a file fed in pieces the same as whole', () => {
    const bytes = corpusFile('gpx/korita-zbevnica.gpx');
    const whole = classifyGpx(bytes);
    const classifier = createGpxClassifier();
    for (let at = 0; at < bytes.length; at += 1000) classifier.write(bytes.subarray(at, at + 1000));
    expect(classifier.finish()).toEqual(whole);
  });

  it('streams a generated 10 MB GPX quickly without holding it', () => {
    const classifier = createGpxClassifier();
    classifier.write(enc.encode('<?xml version="1.0"?><gpx version="1.1" creator="gen"><trk><trkseg>\n'));
    const start = Date.UTC(2024, 0, 1);
    let size = 0;
    let n = 0;
    while (size < 10e6) {
      let block = '';
      for (let k = 0; k < 1000; k++, n++) {
        block += `<trkpt lat="${(46 + (n % 1000) * 1e-5).toFixed(6)}" lon="14.000000"><ele>300.0</ele><time>${new Date(start + n * 1000).toISOString()}</time></trkpt>\n`;
      }
      const bytes = enc.encode(block);
      size += bytes.length;
      classifier.write(bytes);
    }
    classifier.write(enc.encode('</trkseg></trk></gpx>'));
    const a = classifier.finish();
    expect(a).toMatchObject({ verdict: 'upload', points: n, positions: n, durationS: n - 1 });
  });
});
