import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MmtError } from '../errors.js';
import { loginHeadless } from './headless.js';
import { startSandbox } from './server.js';
import { callApi, callOAuth, gpxTrack, listActivities, liveData } from './testkit.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mmt-sandbox-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const file = { bytes: gpxTrack('persist'), filename: 'a.gpx' };

describe('dataDir', () => {
  it('keeps client, tokens, activities and files across a restart', async () => {
    const first = await startSandbox({ dataDir: dir, tokenTtlS: 600 });
    const tokens = await loginHeadless(first);
    const rotated = (await callOAuth(first, 'oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).body;
    const uploaded = await callApi(first, 'uploadActivity', { status: 'public', activity_type: 'running', file }, rotated.access_token);
    const live = await callApi(first, 'startActivity', { status: 'public', activity_title: 'L', data: liveData(2) }, rotated.access_token);
    await first.close();

    const second = await startSandbox({ dataDir: dir, tokenTtlS: 600 });
    try {
      expect([second.clientId, second.clientSecret]).toEqual([first.clientId, first.clientSecret]);
      const again = await callApi(second, 'uploadActivity', { status: 'public', activity_type: 'running', file }, rotated.access_token);
      expect(again.body).toEqual({ function: 'uploadActivity', activity_id: uploaded.body.activity_id, status: 'exists' });
      const update = await callApi(second, 'updateActivity', { activity_id: String(live.body.activity_id), data: liveData(1, 1_714_600_000) }, rotated.access_token);
      expect(update.body.ok).toBe(1);
      const views = await listActivities(second);
      expect(views.map((a) => a.id)).toEqual([uploaded.body.activity_id, live.body.activity_id]);
      expect(views[1]).toMatchObject({ state: 'live', points: 3 });
      expect(await (await fetch(new URL(`/sandbox/files/${uploaded.body.activity_id}`, second.baseUrl))).text()).toBe(file.bytes);

      // The rotation survived too: the spent refresh token still trips reuse detection.
      const reuse = await callOAuth(second, 'oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      expect(reuse.body.error).toBe('invalid_grant');
      expect((await callApi(second, 'uploadActivity', { status: 'public' }, rotated.access_token)).status).toBe(401);

      // New ids continue after the old ones.
      const fresh = await loginHeadless(second);
      const next = await callApi(second, 'uploadActivity', { status: 'public', activity_type: 'running', file: { ...file, bytes: gpxTrack('new') } }, fresh.access_token);
      expect(next.body.activity_id).toBe(live.body.activity_id + 1);
    } finally {
      await second.close();
    }
  });

  it('writes no token in clear, keeps state private, and leaves no temp files', async () => {
    const sandbox = await startSandbox({ dataDir: dir });
    const tokens = await loginHeadless(sandbox);
    await callApi(sandbox, 'uploadActivity', { status: 'public', activity_type: 'running', file }, tokens.access_token);
    await sandbox.close();
    const state = await readFile(join(dir, 'state.json'), 'utf8');
    expect(state).not.toContain(tokens.access_token);
    expect(state).not.toContain(tokens.refresh_token);
    expect((await stat(join(dir, 'state.json'))).mode & 0o077).toBe(0);
    expect(await readdir(dir)).toEqual(['files', 'state.json']);
    expect(await readdir(join(dir, 'files'))).toEqual(['1.gpx']);
  });

  it('lets explicit credentials win over stored ones', async () => {
    await (await startSandbox({ dataDir: dir })).close();
    const sandbox = await startSandbox({ dataDir: dir, clientId: 'my-app', clientSecret: 'my-secret' });
    await sandbox.close();
    expect([sandbox.clientId, sandbox.clientSecret]).toEqual(['my-app', 'my-secret']);
    const restarted = await startSandbox({ dataDir: dir });
    await restarted.close();
    expect(restarted.clientId).toBe('my-app');
  });

  it('refuses a second sandbox on a data dir in use, and frees the dir on close', async () => {
    const first = await startSandbox({ dataDir: dir });
    await expect(startSandbox({ dataDir: dir })).rejects.toMatchObject({ kind: 'usage', code: 'SANDBOX_DATA_LOCKED' });
    await first.close();
    await (await startSandbox({ dataDir: dir })).close();
  });

  it('refuses a corrupt state file with a clear error', async () => {
    await writeFile(join(dir, 'state.json'), '{"version":2}');
    await expect(startSandbox({ dataDir: dir })).rejects.toThrow(/unexpected shape.*another data dir/);
    await writeFile(join(dir, 'state.json'), 'not json');
    await expect(startSandbox({ dataDir: dir })).rejects.toBeInstanceOf(MmtError);
    // The failed start let go of the directory.
    await rm(join(dir, 'state.json'));
    await (await startSandbox({ dataDir: dir })).close();
  });
});

describe('options', () => {
  it.each([
    [{ failRate: 2 }, /failRate: expected a number from 0 to 1, got 2/],
    [{ port: 70000 }, /port: expected an integer from 0 to 65535/],
    [{ tokenTtlS: 0 }, /tokenTtlS/],
    // RFC 6749 VSCHAR (printable ASCII, space included) is allowed; control characters and non-ASCII are not.
    [{ clientId: 'has\ttab' }, /clientId/],
    [{ clientSecret: 'bad\nsecret' }, /got "<redacted>"/],
    [{ clientSecret: 'naïve' }, /got "<redacted>"/],
    [{ quirks: 'bom,no-such-quirk' }, /unknown quirk "no-such-quirk"; known: bom, error-at-200/],
    [{ redirectUri: 'https://example.com/cb' }, /redirectUri: expected a loopback http URI/],
  ])('rejects %o up front', async (options, message) => {
    await expect(startSandbox(options)).rejects.toThrow(message);
  });

  it('reports a port in use as a usage error', async () => {
    const sandbox = await startSandbox({});
    try {
      const port = Number(new URL(sandbox.baseUrl).port);
      await expect(startSandbox({ port })).rejects.toMatchObject({ kind: 'usage', code: 'SANDBOX_PORT' });
    } finally {
      await sandbox.close();
    }
  });

  it('closes when its signal aborts', async () => {
    const controller = new AbortController();
    const sandbox = await startSandbox({}, controller.signal);
    controller.abort();
    await sandbox.close();
    await expect(fetch(sandbox.baseUrl)).rejects.toThrow();
  });
});
