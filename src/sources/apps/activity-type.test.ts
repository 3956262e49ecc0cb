import { describe, expect, it } from 'vitest';
import { classifyFile } from '../../formats/classify.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS } from './catalogue.js';
import { activityForSource, activityTypeFor } from './activity-type.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));
const quirksOf = (id: string) => ({ quirks: APPS.find((a) => a.id === id)!.quirks });
const zwift = quirksOf('zwift');
const mywhoosh = quirksOf('mywhoosh');

describe('activityTypeFor: indoor apps get an indoor type unless the file says otherwise', () => {
  it('makes a plain "cycling" or sport-less file from an indoor app an indoor ride', () => {
    expect(activityTypeFor(mywhoosh, { sport: 'cycling', activityType: 'cycling' })).toBe('indoor cycling');
    expect(activityTypeFor(mywhoosh, { sport: 'cycling', subSport: 'generic', activityType: 'cycling' })).toBe('indoor cycling');
    expect(activityTypeFor(mywhoosh, { sport: 'generic', activityType: 'miscellaneous' })).toBe('indoor cycling');
    expect(activityTypeFor(mywhoosh, {})).toBe('indoor cycling');
  });

  it('keeps what a file says through its sub-sport or another sport', () => {
    expect(activityTypeFor(zwift, { sport: 'cycling', subSport: 'mountain', activityType: 'mountain biking' })).toBe('mountain biking');
    expect(activityTypeFor(zwift, { sport: 'rowing', subSport: 'generic', activityType: 'rowing' })).toBe('rowing');
    expect(activityTypeFor(zwift, { sport: 'running', activityType: 'running' })).toBe('running');
  });

  it('changes nothing for a source without an usual activity (a watch, a plain folder, Garmin Express)', () => {
    expect(activityTypeFor({}, { sport: 'cycling', activityType: 'cycling' })).toBe('cycling');
    expect(activityTypeFor(quirksOf('garminExpress'), { sport: 'cycling', activityType: 'cycling' })).toBe('cycling');
    const activity = { sport: 'cycling', activityType: 'cycling' };
    expect(activityForSource({}, activity)).toBe(activity);
  });

  it('gives the real Zwift file of the corpus (London, virtual_activity) the indoor type it names', () => {
    const file = classifyFile('null_compressed_speed_dist.fit', readFileSync(join(CORPUS, 'fit', 'null_compressed_speed_dist.fit')));
    expect(file).toMatchObject({ sport: 'cycling', subSport: 'virtual_activity', verdict: 'upload' });
    expect(activityForSource(zwift, file).activityType).toBe('indoor cycling');
    expect(activityForSource(zwift, file).verdict).toBe('upload');
  });
});
