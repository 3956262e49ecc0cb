import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginHeadless } from './headless.js';
import { type RunningSandbox, startSandbox } from './server.js';
import { type Field, callApi, listActivities, liveData } from './testkit.js';

let sandbox: RunningSandbox;
let token: string;
beforeAll(async () => {
  sandbox = await startSandbox({});
  token = (await loginHeadless(sandbox, { account: 'live-user' })).access_token;
});
afterAll(() => sandbox.close());

const call = (endpoint: string, fields: Record<string, Field>, accessToken = token) =>
  callApi(sandbox, endpoint, fields, accessToken);
const start = (fields: Record<string, Field> = {}) =>
  call('startActivity', { status: 'public', activity_type: 'running', data: liveData(2), ...fields });
const view = async (id: number) => (await listActivities(sandbox)).find((a) => a.id === id)!;

describe('live activities', () => {
  it('starts, updates and stops, keeping points in arrival order', async () => {
    const started = await start({ activity_title: 'Morning run', tags: 'test' });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ function: 'startActivity', activity_id: expect.any(Number) });
    const id = String(started.body.activity_id);

    const update = await call('updateActivity', { activity_id: id, data: liveData(3, 1_714_557_700, true) });
    expect(update.body).toEqual({ function: 'updateActivity', ok: 1 });
    const live = await view(started.body.activity_id);
    expect(live).toMatchObject({ live: true, state: 'live', points: 5, name: 'Morning run', tags: 'test', type: 'running' });
    expect(live.loc!.map((p) => (p as { timestamp: number }).timestamp)).toEqual([
      1_714_557_600, 1_714_557_601, 1_714_557_700, 1_714_557_701, 1_714_557_702,
    ]);
    expect(live.hr).toHaveLength(3);

    expect((await call('stopActivity', { activity_id: id })).body).toEqual({ function: 'stopActivity', ok: 1 });
    expect(await view(started.body.activity_id)).toMatchObject({ state: 'stopped', points: 5 });
    // A stop retried after a lost reply is fine; more points are not.
    expect((await call('stopActivity', { activity_id: id })).body.ok).toBe(1);
    expect((await call('updateActivity', { activity_id: id, data: liveData(1) })).body.message).toBe('activity already stopped');
  });

  it('resumes the live activity of the same title instead of starting a new one', async () => {
    const first = await start({ activity_title: 'Resume me' });
    const again = await start({ activity_title: 'Resume me', data: liveData(1, 1_714_560_000) });
    expect(again.body.activity_id).toBe(first.body.activity_id);
    expect(await view(first.body.activity_id)).toMatchObject({ state: 'live', points: 3 });
  });

  it('keeps one live activity per account: starting another stops the previous', async () => {
    const first = await start({ activity_title: 'One' });
    const second = await start({ activity_title: 'Two' });
    expect(second.body.activity_id).not.toBe(first.body.activity_id);
    expect((await view(first.body.activity_id)).state).toBe('stopped');
    expect((await view(second.body.activity_id)).state).toBe('live');
    // Another account's live activity is untouched and invisible.
    const other = (await loginHeadless(sandbox, { account: 'other' })).access_token;
    const theirs = await call('startActivity', { status: 'private', data: liveData(1) }, other);
    expect((await view(second.body.activity_id)).state).toBe('live');
    const poke = await call('updateActivity', { activity_id: String(theirs.body.activity_id), data: liveData(1) });
    expect(poke.body.message).toBe('unknown activity_id');
  });

  it.each<[string, string, Record<string, Field>, string]>([
    ['start without status', 'startActivity', { data: liveData(1) }, 'invalid status'],
    ['start without data', 'startActivity', { status: 'public' }, 'missing data'],
    ['start without points', 'startActivity', { status: 'public', data: '{"loc":[]}' }, 'no points'],
    ['start with only heart rate', 'startActivity', { status: 'public', data: '{"hr":[{"hr":1,"timestamp":1,"unix_timestamp":1}]}' }, 'no points'],
    ['data that is not JSON', 'startActivity', { status: 'public', data: 'loc=1' }, 'invalid data: not JSON'],
    ['a bad activity_type', 'startActivity', { status: 'public', activity_type: 'parkour', data: liveData(1) }, 'invalid activity_type: parkour'],
    ['an unknown activity_id', 'updateActivity', { activity_id: '999999', data: liveData(1) }, 'unknown activity_id'],
    ['a malformed activity_id', 'stopActivity', { activity_id: '12abc' }, 'unknown activity_id'],
    ['a missing activity_id', 'stopActivity', {}, 'missing activity_id'],
    ['a field of another endpoint', 'stopActivity', { activity_id: '1', data: liveData(1) }, 'unknown field: data'],
  ])('answers 403 for %s', async (_, endpoint, fields, message) => {
    const response = await call(endpoint, fields);
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ function: endpoint, error: 'INVALID_PARAMENTER', message });
  });

  it.each([
    ['millisecond timestamps', { lat: 1, lon: 1, ele: 1, timestamp: 1_714_557_600_000, unix_timestamp: 1_714_557_600_000 }],
    ['fractional timestamps', { lat: 1, lon: 1, timestamp: 1.5, unix_timestamp: 1 }],
    ['a misspelt key', { lat: 1, lng: 1, timestamp: 1, unix_timestamp: 1 }],
    ['a latitude out of range', { lat: 91, lon: 1, timestamp: 1, unix_timestamp: 1 }],
  ])('refuses live points with %s', async (_, point) => {
    const response = await start({ data: JSON.stringify({ loc: [point] }) });
    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(/^invalid data at loc\.0/);
  });

  it('refuses an update with no points at all', async () => {
    const started = await start();
    const response = await call('updateActivity', { activity_id: String(started.body.activity_id), data: '{"loc":[],"hr":[]}' });
    expect(response.body.message).toBe('no points');
  });
});
