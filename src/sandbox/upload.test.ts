import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginHeadless } from './headless.js';
import { type RunningSandbox, startSandbox } from './server.js';
import { type Field, callApi, fitBytes, gpxTrack, listActivities } from './testkit.js';

const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

let sandbox: RunningSandbox;
let token: string;
beforeAll(async () => {
  sandbox = await startSandbox({});
  token = (await loginHeadless(sandbox)).access_token;
});
afterAll(() => sandbox.close());

const upload = (fields: Record<string, Field>, accessToken = token) => callApi(sandbox, 'uploadActivity', fields, accessToken);
const gpxFile = (salt: string) => ({ bytes: gpxTrack(salt), filename: 'track.gpx' });

describe('uploadActivity', () => {
  it('stores a GPX file and answers created, then exists with the first id for the same bytes', async () => {
    const file = gpxFile('dedupe');
    const first = await upload({ status: 'public', activity_type: 'cycling', activity_name: 'Ride', file });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ function: 'uploadActivity', activity_id: expect.any(Number), status: 'created' });
    const again = await upload({ status: 'private', activity_type: 'running', file: { ...file, filename: 'other-name.gpx' } });
    expect(again.body).toEqual({ function: 'uploadActivity', activity_id: first.body.activity_id, status: 'exists' });

    const view = (await listActivities(sandbox)).find((a) => a.id === first.body.activity_id)!;
    expect(view).toMatchObject({ name: 'Ride', type: 'cycling', status: 'public', format: 'gpx', account: 'sandbox-user' });
    expect(view.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(view.receivedAt)).not.toBeNaN();
    const stored = await fetch(new URL(`/sandbox/files/${view.id}`, sandbox.baseUrl));
    expect(await stored.text()).toBe(gpxTrack('dedupe'));
    expect(view.bytes).toBe(Buffer.byteLength(gpxTrack('dedupe')));
  });

  it('dedupes per account: another account gets its own activity', async () => {
    const other = await loginHeadless(sandbox, { account: 'someone-else' });
    const file = gpxFile('per-account');
    const mine = await upload({ status: 'public', activity_type: 'hiking', file });
    const theirs = await upload({ status: 'public', activity_type: 'hiking', file }, other.access_token);
    expect(theirs.body.status).toBe('created');
    expect(theirs.body.activity_id).not.toBe(mine.body.activity_id);
  });

  it('detects FIT by content, not by name, and does not need activity_type for it', async () => {
    const fit = await upload({ status: 'private', file: { bytes: fitBytes(1), filename: 'looks-like.gpx' } });
    expect(fit.body.status).toBe('created');
    const real = await readFile(new URL('fit/garmin-fenix-5-run.fit', CORPUS));
    const corpus = await upload({ status: 'private', file: { bytes: real, filename: 'run.bin' } });
    expect(corpus.body.status).toBe('created');
    const views = await listActivities(sandbox);
    expect(views.find((a) => a.id === fit.body.activity_id)).toMatchObject({ format: 'fit', type: null });
    expect(views.find((a) => a.id === corpus.body.activity_id)).toMatchObject({ format: 'fit', bytes: real.length });
    // A GPX named .fit is still GPX, so it needs a type.
    const named = await upload({ status: 'private', file: { bytes: gpxTrack('named'), filename: 'x.fit' } });
    expect(named.body.message).toBe('missing activity_type');
  });

  it('recognises TCX', async () => {
    const tcx = `<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities><Activity Sport="Running"><Lap><Track><Trackpoint><Time>2024-01-01T00:00:00Z</Time></Trackpoint></Track></Lap></Activity></Activities></TrainingCenterDatabase>`;
    const response = await upload({ status: 'public', activity_type: 'running', file: { bytes: tcx, filename: 'a.tcx' } });
    expect(response.body.status).toBe('created');
  });

  const noPointsGpx = '<?xml version="1.0"?><gpx version="1.1"><wpt lat="1" lon="2"/></gpx>';
  it.each<[string, Record<string, Field>, string]>([
    ['missing status', { activity_type: 'running', file: gpxFile('a') }, 'invalid status'],
    ['a bad status', { status: 'friends', activity_type: 'running', file: gpxFile('a') }, 'invalid status'],
    ['missing activity_type on GPX', { status: 'public', file: gpxFile('a') }, 'missing activity_type'],
    ['an unknown activity_type', { status: 'public', activity_type: 'jogging', file: gpxFile('a') }, 'invalid activity_type: jogging'],
    ['a capitalised activity_type', { status: 'public', activity_type: 'Running', file: gpxFile('a') }, 'invalid activity_type: Running'],
    ['an unknown activity_type on FIT', { status: 'public', activity_type: 'run', file: { bytes: fitBytes(9), filename: 'a.fit' } }, 'invalid activity_type: run'],
    ['missing file', { status: 'public', activity_type: 'running' }, 'missing file'],
    ['an empty file', { status: 'public', activity_type: 'running', file: { bytes: '', filename: 'a.gpx' } }, 'empty file'],
    ['file as a text field', { status: 'public', activity_type: 'running', file: gpxTrack('t') }, 'file must be sent as a file part'],
    ['a track without points', { status: 'public', activity_type: 'running', file: { bytes: noPointsGpx, filename: 'a.gpx' } }, 'no points'],
    ['a FIT header without a body', { status: 'public', file: { bytes: fitBytes().subarray(0, 14), filename: 'a.fit' } }, 'no points'],
    ['a file of another format', { status: 'public', activity_type: 'running', file: { bytes: 'hello', filename: 'a.gpx' } }, 'unsupported file: expected GPX, FIT or TCX'],
    ['an unknown field', { status: 'public', activity_type: 'running', activity_title: 'x', file: gpxFile('a') }, 'unknown field: activity_title'],
  ])('answers 403 INVALID_PARAMENTER for %s', async (_, fields, message) => {
    const response = await upload(fields);
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ function: 'uploadActivity', error: 'INVALID_PARAMENTER', message });
  });

  it('refuses a body that is not multipart/form-data', async () => {
    const response = await fetch(new URL('uploadActivity', sandbox.baseUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: new URLSearchParams({ status: 'public', activity_type: 'running' }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'INVALID_PARAMENTER' });
  });

  it('answers 401 invalid_token for a missing or unknown token, even before checking fields', async () => {
    for (const accessToken of [undefined, 'not-a-token']) {
      const response = await callApi(sandbox, 'uploadActivity', { status: 'nonsense' }, accessToken);
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_token');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    }
  });
});

describe('routing and inspection', () => {
  it('answers unknown paths with 404 JSON and wrong methods with 405', async () => {
    for (const path of ['upload_activity', 'oauth/introspect', '/nothing', 'uploadActivity/']) {
      const response = await fetch(new URL(path, sandbox.baseUrl), { method: 'POST' });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: string }).error).toBe('not_found');
    }
    const get = await fetch(new URL('uploadActivity', sandbox.baseUrl));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(new URL('/sandbox/stats', sandbox.baseUrl), { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(new URL('/sandbox/files/999999', sandbox.baseUrl))).status).toBe(404);
  });

  it('lists activities on an HTML index page with everything escaped', async () => {
    await upload({ status: 'public', activity_type: 'walking', activity_name: '<script>alert(1)</script>', file: gpxFile('xss') });
    const html = await (await fetch(new URL('/', sandbox.baseUrl))).text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });
});
