import { describe, expect, it } from 'vitest';
import { classifyTcx, createTcxClassifier, TCX_NO_RECORDED_TRACK } from './classify.js';

const enc = new TextEncoder();

const ROOT_OPEN = `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase
  xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"
  xmlns:ns5="http://www.garmin.com/xmlschemas/ActivityGoals/v1"
  xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"
  xmlns:ns2="http://www.garmin.com/xmlschemas/UserProfile/v2"
  xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`;
const AUTHOR = `
  <Author xsi:type="Application_t">
    <Name>Connect Api</Name>
    <Build><Version><VersionMajor>0</VersionMajor><VersionMinor>0</VersionMinor></Version></Build>
    <LangID>en</LangID>
    <PartNumber>006-D2449-00</PartNumber>
  </Author>`;

interface ActivityOpts {
  sport: string;
  start: number;
  /** Points per lap. */
  laps: number[];
  positions?: boolean;
  lapDistance?: boolean;
  creator?: boolean;
}

/** One Activity the way Garmin Connect exports it. */
function activity(o: ActivityOpts): string {
  const iso = (s: number) => new Date(o.start + s * 1000).toISOString().replace('.000Z', '.000Z');
  let second = 0;
  let metres = 0;
  const laps = o.laps.map((count) => {
    const lapStart = second;
    const points: string[] = [];
    for (let i = 0; i < count; i++, second += 5, metres += 15) {
      const position = o.positions === false ? '' : `
            <Position>
              <LatitudeDegrees>${(46.05 + second * 1e-5).toFixed(8)}</LatitudeDegrees>
              <LongitudeDegrees>${(14.5 + second * 1e-5).toFixed(8)}</LongitudeDegrees>
            </Position>`;
      points.push(`
          <Trackpoint>
            <Time>${iso(second)}</Time>${position}
            <AltitudeMeters>295.${i % 10}</AltitudeMeters>
            <DistanceMeters>${metres.toFixed(1)}</DistanceMeters>
            <HeartRateBpm>
              <Value>${120 + (i % 30)}</Value>
            </HeartRateBpm>
            <Extensions>
              <ns3:TPX>
                <ns3:Speed>3.0</ns3:Speed>
                <ns3:RunCadence>86</ns3:RunCadence>
              </ns3:TPX>
            </Extensions>
          </Trackpoint>`);
    }
    return `
      <Lap StartTime="${iso(lapStart)}">
        <TotalTimeSeconds>${(count * 5).toFixed(1)}</TotalTimeSeconds>${o.lapDistance === false ? '' : `
        <DistanceMeters>${(count * 15).toFixed(1)}</DistanceMeters>`}
        <MaximumSpeed>3.2</MaximumSpeed>
        <Calories>10</Calories>
        <AverageHeartRateBpm><Value>130</Value></AverageHeartRateBpm>
        <Intensity>Active</Intensity>
        <TriggerMethod>Manual</TriggerMethod>
        <Track>${points.join('')}
        </Track>
        <Extensions><ns3:LX><ns3:AvgSpeed>3.0</ns3:AvgSpeed></ns3:LX></Extensions>
      </Lap>`;
  });
  const creator = o.creator === false ? '' : `
      <Creator xsi:type="Device_t">
        <Name>Forerunner 245</Name>
        <UnitId>3998765432</UnitId>
        <ProductID>3076</ProductID>
        <Version><VersionMajor>8</VersionMajor><VersionMinor>20</VersionMinor><BuildMajor>0</BuildMajor><BuildMinor>0</BuildMinor></Version>
      </Creator>`;
  return `
    <Activity Sport="${o.sport}">
      <Id>${iso(0)}</Id>${laps.join('')}${creator}
    </Activity>`;
}

function tcx(...activities: string[]): Uint8Array {
  return enc.encode(`${ROOT_OPEN}\n  <Activities>${activities.join('')}\n  </Activities>${AUTHOR}\n</TrainingCenterDatabase>\n`);
}

const START = Date.UTC(2024, 4, 1, 6, 0, 0);

describe('classifyTcx', () => {
  it('uploads a Garmin running activity', () => {
    const a = classifyTcx(tcx(activity({ sport: 'Running', start: START, laps: [10, 10, 5] })));
    expect(a).toMatchObject({
      format: 'tcx',
      kind: 'activity',
      verdict: 'upload',
      reason: 'track with 25 timed points',
      sport: 'Running',
      activityType: 'running',
      start: '2024-05-01T06:00:00.000Z',
      durationS: 120,
      distanceM: 375,
      points: 25,
      positions: 25,
      device: { product: 'Forerunner 245', serial: '3998765432' },
      problems: [],
    });
    expect(a.identity).toMatch(/^tcx:2024-05-01T06:00:00\.000Z:25:[0-9a-f]{16}$/);
  });

  it('uploads a biking activity and maps Other to miscellaneous', () => {
    expect(classifyTcx(tcx(activity({ sport: 'Biking', start: START, laps: [20] })))).toMatchObject({ verdict: 'upload', activityType: 'cycling' });
    expect(classifyTcx(tcx(activity({ sport: 'Other', start: START, laps: [3] })))).toMatchObject({ verdict: 'upload', activityType: 'miscellaneous' });
  });

  it('measures distance from positions when laps carry none', () => {
    const a = classifyTcx(tcx(activity({ sport: 'Running', start: START, laps: [3], lapDistance: false })));
    // 3 points 5 s apart, each step 5e-5° in lat and lon ≈ 6.8 m
    expect(a.distanceM).toBeGreaterThan(12);
    expect(a.distanceM).toBeLessThan(15);
  });

  it('summarises several activities', () => {
    const a = classifyTcx(tcx(
      activity({ sport: 'Running', start: START, laps: [4] }),
      activity({ sport: 'Biking', start: START + 3600_000, laps: [6], creator: false }),
    ));
    expect(a).toMatchObject({
      verdict: 'upload',
      reason: 'track with 10 timed points in 2 activities',
      sport: 'Multisport',
      activityType: 'miscellaneous',
      start: '2024-05-01T06:00:00.000Z',
      durationS: 3625,
      points: 10,
    });
  });

  it('uploads an indoor activity (Trackpoints with Time, no Position) with its indoor type, as FIT and GPX do', () => {
    const ride = classifyTcx(tcx(activity({ sport: 'Biking', start: START, laps: [30], positions: false })));
    expect(ride).toMatchObject({
      verdict: 'upload',
      kind: 'activity',
      reason: 'indoor activity: 30 timed track points, none with a position',
      sport: 'Biking',
      activityType: 'indoor cycling',
      start: '2024-05-01T06:00:00.000Z',
      durationS: 145,
      distanceM: 450,
      points: 30,
      positions: 0,
    });
    expect(ride.identity).toMatch(/^tcx:2024-05-01T06:00:00\.000Z:30:[0-9a-f]{16}$/);
    // A treadmill run is a run: the contract has no treadmill type.
    expect(classifyTcx(tcx(activity({ sport: 'Running', start: START, laps: [5], positions: false })))).toMatchObject({ verdict: 'upload', activityType: 'running' });
    // One timed point is not a recording, with or without a position.
    expect(classifyTcx(tcx(activity({ sport: 'Running', start: START, laps: [1], positions: false })))).toMatchObject({ verdict: 'skip' });
  });

  it('skips a course even though its track points have times', () => {
    const course = enc.encode(`${ROOT_OPEN}
  <Folders><Courses><CourseFolder Name="Courses"><CourseNameRef><Id>Loop</Id></CourseNameRef></CourseFolder></Courses></Folders>
  <Courses>
    <Course>
      <Name>Loop</Name>
      <Lap><TotalTimeSeconds>10</TotalTimeSeconds><DistanceMeters>30</DistanceMeters><Intensity>Active</Intensity></Lap>
      <Track>
        <Trackpoint><Time>2024-05-01T06:00:00Z</Time><Position><LatitudeDegrees>46</LatitudeDegrees><LongitudeDegrees>14</LongitudeDegrees></Position></Trackpoint>
        <Trackpoint><Time>2024-05-01T06:00:05Z</Time><Position><LatitudeDegrees>46.0001</LatitudeDegrees><LongitudeDegrees>14</LongitudeDegrees></Position></Trackpoint>
        <Trackpoint><Time>2024-05-01T06:00:10Z</Time><Position><LatitudeDegrees>46.0002</LatitudeDegrees><LongitudeDegrees>14</LongitudeDegrees></Position></Trackpoint>
      </Track>
      <CoursePoint><Name>Turn</Name><Time>2024-05-01T06:00:05Z</Time><Position><LatitudeDegrees>46.0001</LatitudeDegrees><LongitudeDegrees>14</LongitudeDegrees></Position><PointType>Left</PointType></CoursePoint>
    </Course>
  </Courses>${AUTHOR}
</TrainingCenterDatabase>`);
    expect(classifyTcx(course)).toMatchObject({ verdict: 'skip', kind: 'course', reason: 'a course (a planned route), not a recorded activity', points: 0 });
  });

  it('skips workouts and empty files', () => {
    const workout = enc.encode(`${ROOT_OPEN}<Workouts><Workout Sport="Running"><Name>Intervals</Name></Workout></Workouts></TrainingCenterDatabase>`);
    expect(classifyTcx(workout)).toMatchObject({ verdict: 'skip', kind: 'workout' });
    expect(classifyTcx(tcx())).toMatchObject({ verdict: 'skip', kind: 'empty', reason: TCX_NO_RECORDED_TRACK });
    expect(classifyTcx(tcx(activity({ sport: 'Running', start: START, laps: [1] })))).toMatchObject({ verdict: 'skip', kind: 'activity', reason: TCX_NO_RECORDED_TRACK });
  });

  it('matches local names under a namespace prefix', () => {
    const prefixed = new TextDecoder()
      .decode(tcx(activity({ sport: 'Running', start: START, laps: [3] })))
      .replace(/<(\/?)(?!\?|ns3:)([A-Za-z])/g, '<$1tc:$2')
      .replace('xmlns="http', 'xmlns:tc="http');
    const a = classifyTcx(enc.encode(prefixed));
    expect(a).toMatchObject({ verdict: 'upload', points: 3, activityType: 'running' });
  });

  it('refuses a DTD, a GPX and malformed XML', () => {
    const dtd = enc.encode(`<!DOCTYPE TrainingCenterDatabase [<!ENTITY x SYSTEM "file:///etc/passwd">]><TrainingCenterDatabase>&x;</TrainingCenterDatabase>`);
    const refused = classifyTcx(dtd);
    expect(refused).toMatchObject({ verdict: 'skip', reason: 'XML with a DTD is refused (entity expansion is unsafe)' });
    expect(JSON.stringify(refused)).not.toMatch(/root:/);
    expect(classifyTcx(enc.encode('<gpx/>')).reason).toBe('not a TCX document (root element <gpx>)');
    expect(classifyTcx(enc.encode('<TrainingCenterDatabase><Activities></TrainingCenterDatabase>')).reason).toMatch(/^malformed XML: 1:\d+: /);
  });

  it('never throws on truncations or random bytes', () => {
    const bytes = tcx(activity({ sport: 'Running', start: START, laps: [3, 2] }));
    // The last byte is the newline after the root: cutting it leaves a whole document.
    for (let cut = 0; cut < bytes.length - 1; cut += 5) {
      expect(classifyTcx(bytes.subarray(0, cut)).verdict, `cut at ${cut}`).toBe('skip');
    }
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let round = 0; round < 100; round++) {
      expect(classifyTcx(Uint8Array.from({ length: Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256))).verdict).toBe('skip');
    }
  });

  it('classifies in pieces the same as whole', () => {
    const bytes = tcx(activity({ sport: 'Running', start: START, laps: [7, 7] }));
    const classifier = createTcxClassifier();
    for (let at = 0; at < bytes.length; at += 333) classifier.write(bytes.subarray(at, at + 333));
    expect(classifier.finish()).toEqual(classifyTcx(bytes));
  });

  it('reads a Strava export TCX that starts with whitespace before <?xml, whole or in pieces', () => {
    const bytes = tcx(activity({ sport: 'Biking', start: START, laps: [6] }));
    const padded = new Uint8Array([...enc.encode('          \r\n\t'), ...bytes]);
    const whole = classifyTcx(padded);
    expect(whole).toMatchObject({ verdict: 'upload', activityType: 'cycling', points: 6 });
    expect({ ...whole, identity: undefined }).toEqual({ ...classifyTcx(bytes), identity: undefined });
    const classifier = createTcxClassifier();
    for (let at = 0; at < padded.length; at += 4) classifier.write(padded.subarray(at, at + 4));
    expect(classifier.finish()).toEqual(whole);
  });
});
