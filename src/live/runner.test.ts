import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import { HttpFailure } from '../http/failure.js';
import { createLogger } from '../log.js';
import { LiveBuffer } from './buffer.js';
import { LiveRun, type LiveRunOptions } from './runner.js';
import type { LiveApi } from './sender.js';

const NMEA = readFileSync(new URL('../../test/fixtures/nmea/park-loop-10min.nmea', import.meta.url), 'latin1');
const EXPECTED_TIMES = (JSON.parse(readFileSync(new URL('../../test/fixtures/nmea/park-loop-10min.expected.json', import.meta.url), 'utf8')) as Array<{ time: number }>).map(
  (f) => f.time,
);
const log = createLogger({ level: 'error' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Call {
  readonly fn: 'startActivity' | 'updateActivity' | 'stopActivity';
  readonly at: number;
  readonly times: number[];
  readonly title?: string;
}

/** Map My Tracks as far as live tracking goes; `failures` scripts what the next calls throw. */
class FakeApi implements LiveApi {
  readonly calls: Call[] = [];
  /** What the server kept, in order. */
  readonly stored: number[] = [];
  failures: Array<Error | 'storeThenDrop' | undefined> = [];
  stopped = 0;

  private next(fn: Call['fn'], data?: string, title?: string): { store: boolean; times: number[] } {
    const times = data ? (JSON.parse(data) as { loc: Array<{ timestamp: number }> }).loc.map((p) => p.timestamp) : [];
    this.calls.push({ fn, at: Date.now(), times, ...(title ? { title } : {}) });
    const failure = this.failures.shift();
    if (failure instanceof Error) throw failure;
    this.stored.push(...times);
    if (failure === 'storeThenDrop') throw new HttpFailure('network', `${fn}: socket hang up`);
    return { store: true, times };
  }

  async startActivity(request: { title?: string; data: string }): Promise<string> {
    this.next('startActivity', request.data, request.title);
    return '1001';
  }

  async updateActivity(_id: string, data: string): Promise<void> {
    this.next('updateActivity', data);
  }

  async stopActivity(): Promise<void> {
    this.next('stopActivity');
    this.stopped++;
  }
}

const unavailable = () => new ApiError(503, 'SERVER_ERROR', 'updateActivity: HTTP 503', true, undefined);
const buffers: LiveBuffer[] = [];
afterEach(() => {
  for (const b of buffers.splice(0)) b.close();
});

function setup(extra: Partial<LiveRunOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mmt-live-run-'));
  const track = join(dir, 'track.nmea');
  writeFileSync(track, '');
  const buffer = LiveBuffer.open(dir);
  buffers.push(buffer);
  const api = new FakeApi();
  const controller = new AbortController();
  const options: LiveRunOptions = {
    account: 'acct',
    owner: `test:${process.pid}`,
    source: { kind: 'file', path: track },
    activity: { title: 'Park loop', activityType: 'running', status: 'private' },
    intervalMs: 60,
    idleStopMs: 400,
    graceMs: 2_000,
    retry: { baseDelayMs: 5, maxDelayMs: 40 },
    buffer,
    api,
    log,
    signal: controller.signal,
    tuning: { pollMs: 20 },
    ...extra,
  };
  return { dir, track, buffer, api, controller, options };
}

/** Appends the fixture in n pieces, one every ms milliseconds. */
async function feed(track: string, pieces: number, ms: number, text = NMEA): Promise<void> {
  for (let i = 0; i < pieces; i++) {
    appendFileSync(track, text.slice(Math.floor((text.length * i) / pieces), Math.floor((text.length * (i + 1)) / pieces)));
    await sleep(ms);
  }
}

describe('LiveRun', () => {
  it('starts with the first batch, updates with the next ones (never repeating the start), stops when the file is idle', async () => {
    const { track, api, options } = setup();
    const run = new LiveRun(options).run();
    await feed(track, 10, 40);
    const outcome = await run;
    expect(outcome).toMatchObject({ activityId: '1001', received: 600, sent: 600, buffered: 0, end: 'idle', stopped: true, retries: 0 });
    expect(api.calls[0]!.fn).toBe('startActivity');
    expect(api.calls[0]!.title).toBe('Park loop');
    expect(api.calls.at(-1)!.fn).toBe('stopActivity');
    expect(api.calls.filter((c) => c.fn === 'startActivity')).toHaveLength(1);
    expect(api.stored).toEqual(EXPECTED_TIMES);
    // Batched by the interval while the file grew: several requests, each one a contiguous run of points.
    expect(outcome.batches).toBeGreaterThan(2);
    expect(outcome.batches).toBe(api.calls.length - 1);
  });

  it('splits a backlog into requests of at most maxBatch points', async () => {
    const { track, api, options } = setup({ maxBatch: 128 });
    writeFileSync(track, NMEA);
    const outcome = await new LiveRun(options).run();
    expect(outcome.sent).toBe(600);
    const sizes = api.calls.filter((c) => c.fn !== 'stopActivity').map((c) => c.times.length);
    expect(sizes).toEqual([128, 128, 128, 128, 88]);
    expect(api.stored).toEqual(EXPECTED_TIMES);
  });

  it('retries refused and dropped requests with backoff and loses or repeats nothing', async () => {
    const { track, api, options } = setup();
    api.failures = [unavailable(), new HttpFailure('network', 'ECONNREFUSED'), undefined, unavailable(), unavailable(), undefined, new HttpFailure('timeout', 'no answer')];
    const run = new LiveRun(options).run();
    await feed(track, 8, 50);
    const outcome = await run;
    expect(outcome).toMatchObject({ sent: 600, stopped: true });
    expect(outcome.retries).toBe(5);
    expect(api.stored).toEqual(EXPECTED_TIMES);
  });

  it('waits at least as long as Retry-After says', async () => {
    const { track, api, options } = setup();
    writeFileSync(track, NMEA);
    api.failures = [new ApiError(429, undefined, 'startActivity: HTTP 429', true, 300)];
    await new LiveRun(options).run();
    const [refused, accepted] = api.calls;
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(295);
    expect(api.stored).toEqual(EXPECTED_TIMES);
  });

  it('on a lost reply sends the points again (at least once), and a repeated start keeps the title', async () => {
    const { track, api, options } = setup();
    writeFileSync(track, NMEA);
    api.failures = ['storeThenDrop'];
    const outcome = await new LiveRun(options).run();
    expect(outcome.sent).toBe(600);
    const starts = api.calls.filter((c) => c.fn === 'startActivity');
    expect(starts.map((c) => c.title)).toEqual(['Park loop', 'Park loop']);
    // The first start carried 500 points (maxBatch); they are on the server twice.
    expect(api.stored).toEqual([...EXPECTED_TIMES.slice(0, 500), ...EXPECTED_TIMES]);
  });

  it('ends a session the server refuses for good, records why, and exits with the reason', async () => {
    const { track, api, buffer, options } = setup();
    api.failures = [undefined, new ApiError(403, 'INVALID_PARAMENTER', 'updateActivity: HTTP 403 (unknown activity_id)', false, undefined)];
    const run = new LiveRun(options).run();
    await feed(track, 6, 60);
    const outcome = await run;
    expect(outcome.problem?.code).toBe('LIVE_REFUSED');
    expect(outcome.stopped).toBe(false);
    expect(buffer.openSessions('acct')).toEqual([]);
    expect(api.stopped).toBe(0);
  });

  it('a refused startActivity (no PLUS membership) ends the whole run after one request, said once; other sessions are not tried', async () => {
    // Two sessions an earlier run could not send (the server was away), each from its own file.
    const first = setup({ graceMs: 200 });
    for (const name of ['a.nmea', 'b.nmea']) {
      const track = join(first.dir, name);
      writeFileSync(track, NMEA);
      const api = new FakeApi();
      api.failures = Array.from({ length: 1000 }, () => new HttpFailure('network', 'ECONNREFUSED'));
      const controller = new AbortController();
      const run = new LiveRun({ ...first.options, source: { kind: 'file', path: track }, api, signal: controller.signal }).run();
      await sleep(250);
      controller.abort();
      expect((await run).problem?.code).toBe('LIVE_PENDING');
    }
    expect(first.buffer.openSessions('acct')).toHaveLength(2);

    const api = new FakeApi();
    const refusal = () => new ApiError(200, 'PLUS_REQUIRED', 'startActivity: refused by the server: PLUS_REQUIRED: Live tracking requires a PLUS membership (sent with HTTP 200)', false, undefined);
    api.failures = Array.from({ length: 10 }, refusal);
    writeFileSync(first.track, NMEA);
    const outcome = await new LiveRun({ ...first.options, api, signal: new AbortController().signal }).run();
    expect(api.calls.map((c) => c.fn)).toEqual(['startActivity']);
    expect(outcome.problem?.code).toBe('LIVE_START_REFUSED');
    expect(outcome.problem?.message).toMatch(/^Map My Tracks refused to start live tracking \(live tracking on Map My Tracks needs a PLUS membership\): startActivity: refused/);
    // The refused session is closed with its reason; the ones not tried stay for a later run.
    expect(first.buffer.openSessions('acct')).toHaveLength(2);
  });

  it('on Ctrl-C sends what is buffered, then stops the activity', async () => {
    const { track, api, controller, options } = setup({ intervalMs: 10_000, idleStopMs: 60_000 });
    const run = new LiveRun(options).run();
    await feed(track, 4, 30, NMEA.slice(0, NMEA.length / 2));
    await sleep(100);
    controller.abort();
    const outcome = await run;
    expect(outcome).toMatchObject({ end: 'aborted', stopped: true, batches: 1 });
    expect(outcome.sent).toBeGreaterThan(200);
    expect(api.stored).toEqual(EXPECTED_TIMES.slice(0, outcome.sent));
    expect(api.calls.map((c) => c.fn)).toEqual(['startActivity', 'stopActivity']);
  });

  it('when the server stays away past the grace after Ctrl-C, keeps the points for the next run, which finishes the session', async () => {
    const first = setup({ graceMs: 300 });
    first.api.failures = Array.from({ length: 1000 }, () => new HttpFailure('network', 'ECONNREFUSED'));
    writeFileSync(first.track, NMEA);
    const run = new LiveRun(first.options).run();
    await sleep(200);
    first.controller.abort();
    const outcome = await run;
    expect(outcome.problem?.code).toBe('LIVE_PENDING');
    expect(outcome).toMatchObject({ received: 600, sent: 0, stopped: false });

    const api = new FakeApi();
    const later = await new LiveRun({ ...first.options, source: undefined, api, signal: new AbortController().signal }).run();
    expect(later).toMatchObject({ finishedEarlier: 1 });
    expect(api.stored).toEqual(EXPECTED_TIMES);
    expect(api.calls.map((c) => c.fn)).toEqual(['startActivity', 'updateActivity', 'stopActivity']);
    expect(first.buffer.openSessions('acct')).toEqual([]);
  });
});
