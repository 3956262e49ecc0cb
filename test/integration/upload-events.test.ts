/**
 * What the uploader tells whoever shows progress: when nothing can go out, why and until
 * when (a progress line can then say "rate limited until 10:42" instead of sitting still).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MmtClient } from '../../src/api/client.js';
import { openAccount } from '../../src/auth/account.js';
import { loadConfig } from '../../src/config/load.js';
import { scanSources } from '../../src/intake/scan.js';
import { Journal } from '../../src/journal/journal.js';
import { Spool } from '../../src/journal/spool.js';
import { silentLogger } from '../../src/log.js';
import { Uploader, type UploadEvent } from '../../src/queue/uploader.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { folderSourceId } from '../../src/sources/source.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { makeHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';

describe('upload events', () => {
  it('says when uploads wait on the server (Retry-After): the reason and the time of the next try', async () => {
    const sandbox = await startSandbox({ rateLimitPerMin: 1, rateWindowMs: 1_500 });
    try {
      const home = makeHome(sandbox, 'intake:\n  settleS: 0\n  backfill: all\nupload:\n  concurrency: 1\nretry:\n  baseDelayS: 0.05\n  maxDelayS: 0.2\n');
      expect((await scriptedLogin(home)).result.code).toBe(0);
      const folder = mkdtempSync(join(tmpdir(), 'mmt-events-'));
      for (let i = 0; i < 2; i++) writeFileSync(join(folder, `r${i}.fit`), generateFitActivity({ start: new Date(Date.now() - (i + 1) * 3_600_000), durationS: 60, serial: 600 + i }));
      const { config } = loadConfig({ configFile: home.configFile, env: home.env });
      const journal = Journal.open(home.stateDir);
      const spool = new Spool(home.stateDir);
      try {
        await scanSources([{ id: folderSourceId(folder), kind: 'folder', root: folder, label: folder, poll: false }], journal, {
          settleMs: 0,
          maxFileBytes: 1 << 24,
          backfillCutoffMs: undefined,
          log: silentLogger,
          spool,
        });
        const events: Array<UploadEvent & { at: number }> = [];
        const uploader = new Uploader({
          journal,
          spool,
          client: new MmtClient(config, openAccount(config, home.stateDir, silentLogger).session, silentLogger),
          config,
          sources: new Map(),
          owner: 'test',
          log: silentLogger,
          onEvent: (event) => events.push({ ...event, at: Date.now() }),
        });
        const result = await uploader.drain({ maxWaitMs: 10_000 });
        expect(result.uploaded).toBe(2);
        const limited = events.find((e) => e.type === 'retry');
        const waiting = events.filter((e): e is Extract<UploadEvent, { type: 'waiting' }> & { at: number } => e.type === 'waiting');
        expect(limited).toBeDefined();
        expect(waiting.length).toBeGreaterThan(0);
        expect(waiting[0]).toMatchObject({ reason: 'rate-limited', lastError: expect.stringMatching(/429|rate/i) });
        expect(waiting[0]!.nextTryAt).toBeGreaterThan(waiting[0]!.at);
        // Nothing went out before the announced time.
        const after = events.filter((e) => e.type === 'start' && e.at > waiting[0]!.at);
        expect(after[0]!.at).toBeGreaterThanOrEqual(waiting[0]!.nextTryAt - 5);
      } finally {
        journal.close();
      }
    } finally {
      await sandbox.close();
    }
  });
});
