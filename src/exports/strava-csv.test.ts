import { describe, expect, it } from 'vitest';
import { parseStravaActivitiesCsv, stravaDate } from './strava-csv.js';
import { stravaActivityType } from './strava-types.js';

/** The header of a 2025 English export, duplicated columns and all (trimmed). */
const HEADER =
  'Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,Max Heart Rate,Relative Effort,Commute,' +
  'Activity Private Note,Activity Gear,Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed';

describe('parseStravaActivitiesCsv', () => {
  it('maps each file to its name, type and date, through quotes, commas and newlines in names', () => {
    const csv = [
      HEADER,
      '111,"Sep 12, 2018, 3:02:23 PM","Morning Ride, with ""friends""",Ride,"two\nlines",3600,30.5,,,false,,,activities/111.fit.gz,,,3600,3500,30.5,12',
      '222,"Jan 5, 2020, 12:00:00 AM",Evening Run,Run,,1800,5.0,,,false,,,activities/222.gpx.gz,,,1800,1790,5.0,4',
      '333,"Mar 1, 2021, 11:59:59 PM","Zwift - Watopia",Virtual Ride,,1800,20,,,false,,,activities/333.tcx.gz,,,1,1,1,1',
      '444,"Mar 2, 2021, 7:00:00 AM",Gym,Weight Training,,1800,0,,,false,,,,,,1,1,1,1',
    ].join('\n');
    const parsed = parseStravaActivitiesCsv(`\uFEFF${csv}`);
    expect(parsed.rows).toBe(4);
    expect(parsed.withoutFile).toBe(1);
    expect([...parsed.byFile.values()]).toEqual([
      { id: '111', file: 'activities/111.fit.gz', name: 'Morning Ride, with "friends"', type: 'Ride', activityType: 'cycling', start: '2018-09-12T15:02:23.000Z' },
      { id: '222', file: 'activities/222.gpx.gz', name: 'Evening Run', type: 'Run', activityType: 'running', start: '2020-01-05T00:00:00.000Z' },
      { id: '333', file: 'activities/333.tcx.gz', name: 'Zwift - Watopia', type: 'Virtual Ride', activityType: 'indoor cycling', start: '2021-03-01T23:59:59.000Z' },
    ]);
  });

  it('reads the older export (id,date,name,type,…,filename) and the German one', () => {
    const old = parseStravaActivitiesCsv(
      'id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n1836776031,2018-09-12 15:02:23,Evening Ride,Ride,,783,3681.0,true,Merida,activities/1836776031.gpx\n',
    );
    expect(old.byFile.get('activities/1836776031.gpx')).toEqual({
      id: '1836776031', file: 'activities/1836776031.gpx', name: 'Evening Ride', type: 'Ride', activityType: 'cycling', start: '2018-09-12T15:02:23.000Z',
    });
    const german = parseStravaActivitiesCsv(
      'Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Aktivitätsbeschreibung,Verstrichene Zeit,Distanz,Dateiname\n7,"12.09.2018, 15:02:23",Abendrunde,Lauf,,1,1,activities/7.fit.gz\n',
    );
    expect(german.byFile.get('activities/7.fit.gz')).toEqual({ id: '7', file: 'activities/7.fit.gz', name: 'Abendrunde', type: 'Lauf' });
  });

  it('finds the columns by position and content in a language it does not know', () => {
    const french = parseStravaActivitiesCsv('ID de l’activité,Date de l’activité,Nom de l’activité,Type d’activité,Nom du fichier\n9,"x",Sortie,Vélo,activities/9.gpx\n');
    expect(french.byFile.get('activities/9.gpx')).toMatchObject({ id: '9', name: 'Sortie', type: 'Vélo' });
  });

  it('says why a file is not a Strava activities.csv', () => {
    expect(() => parseStravaActivitiesCsv('')).toThrow('activities.csv is empty');
    expect(() => parseStravaActivitiesCsv('a,b,c\n1,2,3\n')).toThrow(/no Strava activity columns in its header \(a, b, c, …\)/);
  });
});

describe('Strava dates and types', () => {
  it('reads both date formats Strava has written, as UTC', () => {
    expect(stravaDate('May 22, 2010, 7:39:29 PM')).toBe('2010-05-22T19:39:29.000Z');
    expect(stravaDate('Dec 31, 2019, 12:30:00 PM')).toBe('2019-12-31T12:30:00.000Z');
    expect(stravaDate('2018-09-12 15:02:23')).toBe('2018-09-12T15:02:23.000Z');
    expect(stravaDate('12.09.2018, 15:02:23')).toBeUndefined();
  });

  it('maps Strava types, spaced as in the CSV or joined as in the API', () => {
    expect(['Ride', 'Virtual Ride', 'VirtualRide', 'E-Bike Ride', 'Gravel Ride', 'Mountain Bike Ride', 'Virtual Run', 'Trail Run', 'Nordic Ski', 'Handcycle'].map(stravaActivityType)).toEqual([
      'cycling', 'indoor cycling', 'indoor cycling', 'cycling', 'cycling', 'mountain biking', 'running', 'running', 'cross country skiing', 'hand cycling',
    ]);
    expect(stravaActivityType('Weight Training')).toBeUndefined();
    expect(stravaActivityType('')).toBeUndefined();
  });
});
