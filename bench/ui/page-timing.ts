import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Check } from '../lib/result.js';
import { progress } from '../lib/result.js';
import { median, percentile, round } from '../lib/stats.js';
import { cliPath, startChild, stopChild } from '../upload/processes.js';
import { fillJournal } from './journal-fill.js';

const ACTIVITIES = 5_000;
const TARGET_MS = 300;
const WARMUPS = 3;
const REPETITIONS = 30;

interface Timed {
  readonly status: number;
  readonly ms: number;
  readonly bytes: number;
  readonly cookie?: string;
}

/** One GET, timed from the request to the last byte of the answer (a new connection each time, as a page load). */
function get(port: number, path: string, cookie?: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { Host: `127.0.0.1:${port}`, ...(cookie ? { Cookie: cookie } : {}) } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => {
        const setCookie = [res.headers['set-cookie'] ?? []].flat()[0];
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, bytes, ...(setCookie ? { cookie: setCookie.split(';')[0]! } : {}) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function series(port: number, path: string, cookie: string): Promise<{ medianMs: number; p95Ms: number; maxMs: number; bytes: number }> {
  for (let i = 0; i < WARMUPS; i++) await get(port, path, cookie);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REPETITIONS; i++) {
    const answer = await get(port, path, cookie);
    if (answer.status !== 200) throw new Error(`Expected 200 for ${path}, got ${answer.status}`);
    times.push(answer.ms);
    bytes = answer.bytes;
  }
  return { medianMs: round(median(times), 1), p95Ms: round(percentile(times, 95), 1), maxMs: round(Math.max(...times), 1), bytes };
}

/** `mmt-sync ui` on a state directory: its port and a session cookie, the way a browser gets one. */
async function startUi(home: string) {
  const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state') };
  const ui = startChild(process.execPath, [cliPath(), 'ui', '--port', '0', '--no-browser'], env);
  const url = new URL(await ui.firstLine);
  const port = Number(url.port);
  const redeemed = await get(port, `/${url.search}`);
  if (redeemed.status !== 303 || !redeemed.cookie) throw new Error(`Expected the token to open a session, got ${redeemed.status}`);
  return { ui, port, cookie: redeemed.cookie };
}

function makeUiHome(prefix: string): string {
  const home = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(home, 'config', 'mmt-sync'), { recursive: true });
  writeFileSync(join(home, 'config', 'mmt-sync', 'config.yaml'), 'api:\n  baseUrl: http://127.0.0.1:9/api3/\n  clientId: bench\n  clientSecret: bench-secret\nauth:\n  tokenStore: file\ndevices:\n  autoDetect: false\n');
  return home;
}

/** The Activities page over 5,000 journaled activities, beside the same page over an empty journal and a static file. */
export async function measureActivitiesPage(): Promise<Check> {
  const full = makeUiHome('mmt-sync-bench-ui-');
  const empty = makeUiHome('mmt-sync-bench-ui-empty-');
  try {
    const filled = performance.now();
    fillJournal(join(full, 'state', 'mmt-sync'), ACTIVITIES);
    progress(`journal with ${ACTIVITIES} uploaded activities written in ${round((performance.now() - filled) / 1000, 1)} s`);
    const big = await startUi(full);
    const small = await startUi(empty);
    try {
      const cold = await get(big.port, '/activities', big.cookie);
      const first = await series(big.port, '/activities', big.cookie);
      const middle = await series(big.port, `/activities?page=${Math.ceil(ACTIVITIES / 100)}`, big.cookie);
      const last = await series(big.port, `/activities?page=${Math.ceil(ACTIVITIES / 50)}`, big.cookie);
      const control = await series(small.port, '/activities', small.cookie);
      const staticFile = await series(big.port, '/static/app.css', big.cookie);
      const worst = Math.max(first.medianMs, middle.medianMs, last.medianMs);
      progress(`activities page: first ${first.medianMs} ms, middle ${middle.medianMs} ms, last ${last.medianMs} ms median (cold ${round(cold.ms, 1)} ms); empty journal ${control.medianMs} ms, static file ${staticFile.medianMs} ms`);
      return {
        id: 'activities-page',
        what:
          `GET /activities (50 activities with their SVG tracks, newest first) from \`mmt-sync ui\` over a journal of ${ACTIVITIES} uploaded activities, ` +
          `timed by a client from request to last byte, a new connection each; median of ${REPETITIONS} after ${WARMUPS} warm-ups, for the first, a middle and the last page`,
        target: `served in <= ${TARGET_MS} ms`,
        pass: worst <= TARGET_MS && cold.ms <= TARGET_MS,
        headline: `${worst} ms median (worst page), ${round(cold.ms, 1)} ms cold; empty journal ${control.medianMs} ms`,
        numbers: {
          activities: ACTIVITIES,
          coldFirstRequestMs: round(cold.ms, 1),
          firstPage: first,
          middlePage: middle,
          lastPage: last,
          control: { emptyJournalActivitiesPage: control, staticFileSameServer: staticFile },
        },
      };
    } finally {
      await stopChild(big.ui, 10_000);
      await stopChild(small.ui, 10_000);
    }
  } finally {
    rmSync(full, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
}
