/**
 * A backlog through a hostile server: 30 % of upload requests answered 500/502/503 or
 * dropped (some after the server stored the file), a sliding-window rate limit that
 * answers 429 with Retry-After, and latency spikes (some longer than the client's
 * timeout). Everything must arrive once, no request may go out before a Retry-After
 * the client heard, and the request count is reported against the minimum.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../src/sandbox/server.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities, readStats } from '../../src/sandbox/testkit.js';
import { FULL, answeredExists, chaosRandom, chaosYaml, delivery, loggedInHome, readJournal, syncUntilDone, writeBacklog } from './lib/chaos-kit.js';
import { report } from './lib/chaos-report.js';
import { startSpikeProxy } from './lib/chaos-proxy.js';

const TOTAL = FULL ? 300 : 40;
const FAIL_RATE = 0.3;
/** 10 requests per 1 s window: a 429 every few seconds at the client's pace. */
const RATE_LIMIT = { rateLimitPerMin: 10, rateWindowMs: 1_000 };
/** 5 % of responses held 0.3–2.6 s; the client gives up after 2 s. */
const SPIKES = { rate: 0.05, minMs: 300, maxMs: 2_600 };
const CLIENT_TIMEOUT_S = 2;
/** Arrival times are taken on one clock in one process; allow for timer rounding only. */
const SLACK_MS = 5;

interface RetryAfterCheck {
  readonly limited: number;
  readonly violations: Array<{ at: number; retryAfterS: number; nextAfterMs: number }>;
  /** The shortest wait after a 429, in ms beyond what Retry-After asked for. */
  readonly minMarginMs: number | undefined;
}

/** With one upload in flight at a time, every request after a 429 was sent knowing about it. */
function checkRetryAfter(log: readonly RequestLogEntry[]): RetryAfterCheck {
  const uploads = log.filter((e) => e.path.endsWith('/uploadActivity')).sort((a, b) => a.t - b.t);
  const violations: RetryAfterCheck['violations'] = [];
  let minMarginMs: number | undefined;
  let limited = 0;
  uploads.forEach((entry, i) => {
    if (entry.status !== 429 || entry.retryAfter === undefined) return;
    limited++;
    const next = uploads.slice(i + 1).find((e) => e.t > entry.t);
    if (!next) return;
    const margin = next.t - entry.t - entry.retryAfter * 1000;
    minMarginMs = minMarginMs === undefined ? margin : Math.min(minMarginMs, margin);
    if (margin < -SLACK_MS) violations.push({ at: entry.t, retryAfterS: entry.retryAfter, nextAfterMs: next.t - entry.t });
  });
  return { limited, violations, minMarginMs };
}

describe(`a ${TOTAL}-file backlog through ${FAIL_RATE * 100} % faults, 429s with Retry-After and latency spikes`, () => {
  let outcome: {
    lost: number;
    duplicated: number;
    activities: number;
    exists: number;
    runs: number;
    crashes: number;
    reLogins: number;
    retryAfter: RetryAfterCheck;
    uploadRequests: number;
    integrity: string;
    notUploaded: string[];
    timeouts: number;
  };

  beforeAll(async () => {
    const started = Date.now();
    const random = chaosRandom(4242);
    const sandbox = await startSandbox({ failRate: FAIL_RATE, seed: random.seed, latencyMs: 10, ...RATE_LIMIT });
    const proxy = await startSpikeProxy(sandbox.baseUrl, { ...SPIKES, random: random.next });
    try {
      const folder = mkdtempSync(join(tmpdir(), 'mmt-chaos-faults-'));
      const backlog = writeBacklog(folder, TOTAL, { serialBase: 20_000 });
      const home = await loggedInHome(
        { ...sandbox, baseUrl: proxy.baseUrl },
        chaosYaml({ concurrency: 1, maxAttempts: 20, onceWaitS: 10 }),
        CLIENT_TIMEOUT_S,
      );
      proxy.enabled = true;
      const settled = await syncUntilDone(home, folder, 12);
      const stderr = settled.results.map((r) => r.stderr).join('\n');
      const stats = await readStats(sandbox);
      const activities = await listActivities(sandbox);
      const journal = readJournal(home.stateDir);
      const retryAfter = checkRetryAfter(stats.log);
      const uploadRequests = stats.requests.uploadActivity ?? 0;
      const timeouts = (stderr.match(/no answer within/g) ?? []).length;
      outcome = {
        ...delivery(backlog.shas, activities),
        activities: activities.length,
        exists: answeredExists(journal.records),
        runs: settled.runs,
        crashes: settled.crashes,
        reLogins: settled.reLogins,
        retryAfter,
        uploadRequests,
        integrity: journal.integrity,
        notUploaded: journal.records.filter((r) => r.state !== 'uploaded').map((r) => `${r.relPath}: ${r.state} ${r.lastError ?? ''}`),
        timeouts,
      };
      const f = stats.faults;
      await report({
        test: 'faults 30 % + 429 + latency spikes',
        runs: settled.runs,
        lost: outcome.lost,
        duplicated: outcome.duplicated,
        duplicatesOnlyServerDedupe: outcome.exists,
        crashes: settled.crashes,
        reLogins: settled.reLogins,
        notes:
          `${TOTAL} files, seed ${random.seed}: ${uploadRequests} upload requests for a minimum of ${TOTAL} (${(uploadRequests / TOTAL).toFixed(2)}×); ` +
          `faults: ${f.http500 + f.http502 + f.http503} 5xx, ${f.drop} dropped, ${f.dropAfterStore} dropped after storing, ${f.rateLimited} × 429; ` +
          `${proxy.counts.spikes} latency spikes (${timeouts} client timeouts); Retry-After: ${retryAfter.violations.length} violations in ${retryAfter.limited} 429s, ` +
          `shortest wait ${retryAfter.minMarginMs ?? '-'} ms beyond it; ${settled.runs} --once run(s)`,
        figures: { uploadRequests, minimum: TOTAL, faults: f, requests: stats.requests, spikes: proxy.counts, retryAfter, timeouts, seed: random.seed },
        seconds: Math.round((Date.now() - started) / 100) / 10,
      });
    } finally {
      await proxy.close();
      await sandbox.close();
    }
  }, FULL ? 900_000 : 120_000);

  it('uploads everything exactly once (server-side dedupe counted apart), journal intact, no crash, no re-login', () => {
    expect(outcome.notUploaded).toEqual([]);
    expect(outcome.lost).toBe(0);
    expect(outcome.duplicated).toBe(0);
    expect(outcome.activities).toBe(TOTAL);
    expect(outcome.integrity).toBe('ok');
    expect(outcome.crashes).toBe(0);
    expect(outcome.reLogins).toBe(0);
  });

  it('never sends a request before a Retry-After it heard', () => {
    expect(outcome.retryAfter.limited, 'the rate limit was never hit: the test proves nothing').toBeGreaterThan(0);
    expect(outcome.retryAfter.violations).toEqual([]);
    expect(outcome.uploadRequests).toBeGreaterThanOrEqual(TOTAL);
  });
});
