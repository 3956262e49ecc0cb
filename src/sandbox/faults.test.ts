import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector } from './faults.js';
import { approveAuthorization, loginHeadless } from './headless.js';
import { type RunningSandbox, startSandbox } from './server.js';
import { LOG_LIMIT, StatsRecorder } from './stats.js';
import { callApi, callOAuth, gpxTrack, listActivities, readStats } from './testkit.js';
import type { SandboxOptions, SandboxTuning } from './options.js';

const running: RunningSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function sandboxWith(options: SandboxOptions & SandboxTuning) {
  const sandbox = await startSandbox(options);
  running.push(sandbox);
  const token = (await loginHeadless(sandbox)).access_token;
  return { sandbox, token };
}

/** An upload's outcome as the client sees it: a status, or 'drop' when the connection died. */
async function tryUpload(sandbox: RunningSandbox, token: string, salt: string): Promise<number | 'drop'> {
  try {
    const response = await callApi(
      sandbox,
      'uploadActivity',
      { status: 'private', activity_type: 'running', file: { bytes: gpxTrack(salt), filename: 'a.gpx' } },
      token,
    );
    return response.status === 200 ? (response.body.status === 'exists' ? 2000 : 200) : response.status;
  } catch {
    return 'drop';
  }
}

describe('fault injection', () => {
  it('fails the first N data requests with 503, leaving OAuth alone by default', async () => {
    const { sandbox, token } = await sandboxWith({ failFirst: 2 });
    const outcomes = [await tryUpload(sandbox, token, 'a'), await tryUpload(sandbox, token, 'a'), await tryUpload(sandbox, token, 'a')];
    expect(outcomes).toEqual([503, 503, 200]);
    const stats = await readStats(sandbox);
    expect(stats.faults.failFirst).toBe(2);
    expect(stats.log.filter((e) => e.path === '/api3/uploadActivity').map((e) => [e.status, e.fault])).toEqual([
      [503, 'failFirst'],
      [503, 'failFirst'],
      [200, undefined],
    ]);
  });

  it('with faultOAuth, faults hit oauth/token too, and an unanswered exchange leaves the code usable', async () => {
    const sandbox = await startSandbox({ failFirst: 1, faultOAuth: true });
    running.push(sandbox);
    const redirect = 'http://127.0.0.1:1/cb';
    const url = new URL('oauth/authorize', sandbox.baseUrl);
    url.search = new URLSearchParams({ client_id: sandbox.clientId, redirect_uri: redirect, response_type: 'code' }).toString();
    const code = (await approveAuthorization(url.href)).searchParams.get('code')!;
    const params = { grant_type: 'authorization_code', code, redirect_uri: redirect };
    expect((await callOAuth(sandbox, 'oauth/token', params)).status).toBe(503);
    expect((await callOAuth(sandbox, 'oauth/token', params)).status).toBe(200);
  });

  it('with faultOAuth, oauth/token is rate limited too, in RFC 6749 error shape', async () => {
    const sandbox = await startSandbox({ rateLimitPerMin: 1, faultOAuth: true });
    running.push(sandbox);
    const tokens = await loginHeadless(sandbox);
    const limited = await callOAuth(sandbox, 'oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(limited.body.error).toBe('slow_down');
  });

  it('rate limits per account in a sliding window, with a Retry-After that is enough', async () => {
    const { sandbox, token } = await sandboxWith({ rateLimitPerMin: 2, rateWindowMs: 1000 });
    const other = (await loginHeadless(sandbox, { account: 'other' })).access_token;
    expect(await tryUpload(sandbox, token, 'r1')).toBe(200);
    expect(await tryUpload(sandbox, token, 'r2')).toBe(200);
    const limited = await callApi(sandbox, 'uploadActivity', { status: 'private' }, token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toMatchObject({ function: 'uploadActivity', error: 'RATE_LIMITED' });
    expect(await tryUpload(sandbox, other, 'r3')).toBe(200);

    await new Promise((r) => setTimeout(r, Number(limited.headers.get('retry-after')) * 1000));
    expect(await tryUpload(sandbox, token, 'r3')).toBe(200);

    const log = (await readStats(sandbox)).log.filter((e) => e.path === '/api3/uploadActivity');
    const refused = log.find((e) => e.status === 429)!;
    expect(refused).toMatchObject({ retryAfter: 1, fault: 'rateLimited', method: 'POST' });
    const next = log[log.indexOf(refused) + 2]!;
    expect(next.t - refused.t).toBeGreaterThanOrEqual(refused.retryAfter! * 1000);
  });

  it('is reproducible with a seed, and a drop after store turns into "exists" on retry', async () => {
    const run = async () => {
      const { sandbox, token } = await sandboxWith({ failRate: 0.5, seed: 7 });
      const outcomes: (number | 'drop')[] = [];
      for (let file = 0; file < 12; file++) {
        // A client that retries until it hears success, as the sync queue does.
        for (;;) {
          const outcome = await tryUpload(sandbox, token, `file-${file}`);
          outcomes.push(outcome);
          if (outcome === 200 || outcome === 2000) break;
        }
      }
      return { sandbox, outcomes, stats: await readStats(sandbox), activities: await listActivities(sandbox) };
    };
    const first = await run();
    const second = await run();
    expect(second.outcomes).toEqual(first.outcomes);
    expect(first.activities).toHaveLength(12);
    const { faults } = first.stats;
    expect(faults.http500 + faults.http502 + faults.http503 + faults.drop + faults.dropAfterStore).toBeGreaterThan(3);
    // Seed 7 happens to drop at least one upload after storing it: the retry must hear "exists".
    expect(faults.dropAfterStore).toBeGreaterThan(0);
    expect(first.outcomes.filter((o) => o === 2000)).toHaveLength(faults.dropAfterStore);
    expect(first.outcomes.filter((o) => o === 'drop')).toHaveLength(faults.drop + faults.dropAfterStore);
    const dropped = first.stats.log.filter((e) => e.fault === 'drop' || e.fault === 'dropAfterStore');
    expect(dropped.length).toBe(faults.drop + faults.dropAfterStore);
    expect(dropped.every((e) => e.status === 0)).toBe(true);
  });

  it('at failRate 1 every data request fails, with every kind of fault', async () => {
    const { sandbox, token } = await sandboxWith({ failRate: 1, seed: 1 });
    const outcomes = new Set<number | 'drop'>();
    for (let i = 0; i < 24; i++) outcomes.add(await tryUpload(sandbox, token, `x${i}`));
    expect([...outcomes].sort()).toEqual([500, 502, 503, 'drop']);
  });

  it('adds latency to every response', async () => {
    const sandbox = await startSandbox({ latencyMs: 150 });
    running.push(sandbox);
    const before = performance.now();
    await readStats(sandbox);
    expect(performance.now() - before).toBeGreaterThanOrEqual(140);
  });
});

describe('FaultInjector', () => {
  it('computes Retry-After from when the oldest request leaves the window', () => {
    const faults = new FaultInjector({ failFirst: 0, failRate: 0, seed: 1, rateLimitPerMin: 2, rateWindowMs: 60_000 });
    expect(faults.retryAfter('a', 1_000)).toBeUndefined();
    expect(faults.retryAfter('a', 30_000)).toBeUndefined();
    expect(faults.retryAfter('a', 30_500)).toBe(31); // 1_000 + 60_000 - 30_500 = 30.5 s
    expect(faults.retryAfter('a', 60_999)).toBe(1);
    expect(faults.retryAfter('a', 61_000)).toBeUndefined();
    expect(faults.retryAfter('b', 61_000)).toBeUndefined();
  });
});

describe('StatsRecorder', () => {
  it(`keeps the last ${LOG_LIMIT} requests`, () => {
    const stats = new StatsRecorder();
    for (let t = 0; t < LOG_LIMIT + 5; t++) stats.record({ t, method: 'POST', path: '/api3/uploadActivity', status: 200 });
    const { log } = stats.snapshot();
    expect(log).toHaveLength(LOG_LIMIT);
    expect(log[0]!.t).toBe(5);
  });
});
