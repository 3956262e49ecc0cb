import { mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultCaps } from '../archive/caps.js';
import { gz, zipOf, type HonestEntry } from '../archive/test-fixtures.js';
import { classifyFile } from '../formats/classify.js';
import { gpxTrack } from '../sandbox/testkit.js';
import { tempDir } from '../sources/test-fixtures.js';
import { generateFitActivity } from '../testing/fit-generator.js';
import { readExport, type ExportItem, type ExportSummary } from './read-export.js';

let dir = '';
let scratch = '';
let cleanup = () => {};
beforeEach(() => {
  const t = tempDir('mmt-export-');
  dir = realpathSync(t.dir);
  scratch = join(dir, 'scratch');
  mkdirSync(scratch);
  cleanup = t.cleanup;
});
afterEach(() => cleanup());

const CAPS = defaultCaps(64 << 20);

async function read(path: string): Promise<{ items: ExportItem[]; summary: ExportSummary }> {
  const generator = readExport(path, { caps: CAPS, tempDir: scratch });
  const items: ExportItem[] = [];
  for (;;) {
    const step = await generator.next();
    if (step.done) return { items, summary: step.value };
    items.push(step.value);
  }
}

/** A TCX ride as Strava exports it: whitespace before the XML declaration. */
function stravaTcx(): string {
  const points = [0, 1, 2]
    .map((i) => `<Trackpoint><Time>2021-03-01T23:0${i}:00Z</Time><Position><LatitudeDegrees>-11.6${i}</LatitudeDegrees><LongitudeDegrees>166.9${i}</LongitudeDegrees></Position></Trackpoint>`)
    .join('');
  return `          \n<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities><Activity Sport="Biking"><Id>2021-03-01T23:00:00Z</Id><Lap StartTime="2021-03-01T23:00:00Z"><Track>${points}</Track></Lap></Activity></Activities></TrainingCenterDatabase>`;
}

function stravaExport(): HonestEntry[] {
  const csv = [
    'Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Filename,Distance',
    '111,"Sep 12, 2018, 3:02:23 PM","Morning Ride, to the ""Tower""",Ride,,600,3.1,activities/111.fit.gz,3100',
    '222,"Jan 5, 2020, 8:00:00 AM",Evening Run,Run,"a\nlong\ndescription",180,1.0,activities/222.gpx.gz,1000',
    '333,"Mar 1, 2021, 11:00:00 PM",Watopia,Virtual Ride,,180,2.0,activities/333.tcx.gz,2000',
    '444,"Mar 2, 2021, 7:00:00 AM",Gym,Weight Training,,1800,0,,0',
    '555,"Apr 1, 2021, 6:00:00 AM",Commute,Ride,,180,1.0,activities/555.gpx,1000',
  ].join('\n');
  return [
    { name: 'activities.csv', data: csv },
    { name: 'activities/111.fit.gz', data: gz(generateFitActivity({ start: new Date('2018-09-12T15:02:23Z'), durationS: 600, sport: 'cycling', seed: 1 })) },
    { name: 'activities/222.gpx.gz', data: gz(gpxTrack('run')) },
    { name: 'activities/333.tcx.gz', data: gz(stravaTcx()) },
    { name: 'activities/555.gpx', data: gpxTrack('commute') },
    { name: 'routes/9.gpx', data: '<gpx><rte><rtept lat="1" lon="2"/></rte></gpx>' },
    { name: 'media/1.jpg', data: 'jpeg' },
    { name: 'profile.csv', data: 'x' },
  ];
}

const summaryOf = (items: ExportItem[]) =>
  items.map((i) => (i.kind === 'activity' ? [i.kind, i.memberPath, i.strava?.name, i.strava?.activityType, classifyFile(i.name, i.bytes).verdict] : [i.kind, i.memberPath, i.reason]));

describe('readExport: a Strava bulk export', () => {
  it('zipped: every activity with the name, type and date activities.csv gives it; routes are not activities', async () => {
    const zip = join(dir, 'export_12345.zip');
    writeFileSync(zip, await zipOf(stravaExport()));
    const { items, summary } = await read(zip);
    expect(summaryOf(items)).toEqual([
      ['not-activity', `${zip}!/routes/9.gpx`, 'a Strava route (a planned route), not an activity'],
      ['activity', `${zip}!/activities/111.fit.gz`, 'Morning Ride, to the "Tower"', 'cycling', 'upload'],
      ['activity', `${zip}!/activities/222.gpx.gz`, 'Evening Run', 'running', 'upload'],
      ['activity', `${zip}!/activities/333.tcx.gz`, 'Watopia', 'indoor cycling', 'upload'],
      ['activity', `${zip}!/activities/555.gpx`, 'Commute', 'cycling', 'upload'],
    ]);
    expect(items[1]).toMatchObject({ name: '111.fit', strava: { id: '111', start: '2018-09-12T15:02:23.000Z', type: 'Ride', file: 'activities/111.fit.gz' } });
    expect(summary).toEqual({ layout: 'strava', activities: 4, notActivities: 1, problems: 0, csv: { rows: 5, withoutFile: 1 } });
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('unpacked into a folder one level down: the same activities and names', async () => {
    const root = join(dir, 'unpacked');
    for (const entry of stravaExport()) {
      const path = join(root, 'export_12345', ...entry.name.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, Buffer.from(entry.data));
    }
    const { items, summary } = await read(root);
    const base = join(root, 'export_12345');
    expect(summaryOf(items)).toEqual([
      ['not-activity', join(base, 'routes', '9.gpx'), 'a Strava route (a planned route), not an activity'],
      ['activity', join(base, 'activities', '111.fit.gz'), 'Morning Ride, to the "Tower"', 'cycling', 'upload'],
      ['activity', join(base, 'activities', '222.gpx.gz'), 'Evening Run', 'running', 'upload'],
      ['activity', join(base, 'activities', '333.tcx.gz'), 'Watopia', 'indoor cycling', 'upload'],
      ['activity', join(base, 'activities', '555.gpx'), 'Commute', 'cycling', 'upload'],
    ]);
    expect(summary).toMatchObject({ layout: 'strava', activities: 4, notActivities: 1 });
  });

  it('still reads the activities when activities.csv is not one, and says why', async () => {
    const zip = join(dir, 'export.zip');
    writeFileSync(zip, await zipOf([{ name: 'activities.csv', data: 'nothing,useful\n' }, { name: 'activities/1.gpx', data: gpxTrack('x') }]));
    const { items, summary } = await read(zip);
    expect(summaryOf(items)).toEqual([['activity', `${zip}!/activities/1.gpx`, undefined, undefined, 'upload']]);
    expect(summary.csv).toEqual({ problem: 'activities.csv: no Strava activity columns in its header (nothing, useful, …)' });
  });
});

describe('readExport: a Garmin Connect bulk export', () => {
  it('finds the activities in the UploadedFiles zips inside the zip, and opens no other zip', async () => {
    const part1 = await zipOf([
      { name: 'user@example.com_101.fit', data: generateFitActivity({ start: new Date('2023-06-01T06:00:00Z'), durationS: 300, seed: 3 }) },
      { name: 'user@example.com_102.gpx', data: gpxTrack('102') },
    ]);
    const part2 = await zipOf([{ name: 'user@example.com_103.fit', data: generateFitActivity({ start: new Date('2023-06-02T06:00:00Z'), durationS: 300, seed: 4 }) }]);
    const wellness = await zipOf([{ name: 'sleep.fit', data: 'not opened' }]);
    const zip = join(dir, 'garmin-export.zip');
    writeFileSync(zip, await zipOf([
      { name: 'DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip', data: part1 },
      { name: 'DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part2.zip', data: part2 },
      { name: 'DI_CONNECT/DI-Connect-Wellness/wellness.zip', data: wellness },
      { name: 'DI_CONNECT/DI-Connect-User/user_profile.json', data: '{}' },
    ]));
    const { items, summary } = await read(zip);
    const part = (n: number) => `${zip}!/DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part${n}.zip`;
    expect(summaryOf(items)).toEqual([
      ['activity', `${part(1)}!/user@example.com_101.fit`, undefined, undefined, 'upload'],
      ['activity', `${part(1)}!/user@example.com_102.gpx`, undefined, undefined, 'upload'],
      ['activity', `${part(2)}!/user@example.com_103.fit`, undefined, undefined, 'upload'],
    ]);
    expect(summary).toEqual({ layout: 'garmin-connect', activities: 3, notActivities: 0, problems: 0 });
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe('readExport: anything else', () => {
  it('reads Garmin\'s "export original" zip, and a single .fit.gz, as plain activities', async () => {
    const original = join(dir, '12345678901.zip');
    writeFileSync(original, await zipOf([{ name: '12345678901_ACTIVITY.fit', data: generateFitActivity({ start: new Date('2024-01-01T09:00:00Z'), durationS: 120, seed: 5 }) }]));
    expect(summaryOf((await read(original)).items)).toEqual([['activity', `${original}!/12345678901_ACTIVITY.fit`, undefined, undefined, 'upload']]);
    expect((await read(original)).summary.layout).toBe('plain');

    const single = join(dir, '1.gpx.gz');
    writeFileSync(single, gz(gpxTrack('single')));
    expect(summaryOf((await read(single)).items)).toEqual([['activity', single, undefined, undefined, 'upload']]);
  });
});
