/**
 * Terminal manners under a real pseudo-terminal: a progress bar where the terminal takes
 * escape sequences, and not one ESC byte under TERM=dumb or NO_COLOR (plain progress
 * lines instead); `npm run demo > file` writes plain text.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { makeHome, REPO, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { runCliInPty } from '../helpers/pty.js';

const ESC = '\x1b';
let sandbox: RunningSandbox;
let home: TestHome;
let run = 0;

/** A folder of three new activities (new start times: never duplicates of an earlier run's). */
function folderOfActivities(): string {
  const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-pty-'));
  run++;
  for (let i = 0; i < 3; i++) {
    const start = new Date(Date.UTC(2026, 0, run, 7 + i));
    writeFileSync(join(folder, `run-${run}-${i}.fit`), generateFitActivity({ start, durationS: 600, serial: 4242, seed: run * 10 + i }));
  }
  return folder;
}

beforeAll(async () => {
  sandbox = await startSandbox({});
  home = makeHome(sandbox, 'intake:\n  settleS: 0\n  backfill: all\n');
  const login = await scriptedLogin(home);
  expect(login.result.code, login.result.stderr).toBe(0);
});

afterAll(async () => {
  await sandbox?.close();
});

describe.concurrent('the live status line on a pseudo-terminal', () => {
  const nmea = fileURLToPath(new URL('../fixtures/nmea/park-loop-10min.nmea', import.meta.url));
  const live = (term: Record<string, string>) =>
    runCliInPty(['live', '--follow', nmea, '--interval', '1', '--idle-stop', '2', '--title', `pty ${JSON.stringify(term)}`], { ...home.env, ...term });

  it('TERM=dumb: plain status lines, no escape byte; a capable terminal: redrawn in place', async () => {
    // One after the other: one live activity per account at a time.
    const dumb = await live({ TERM: 'dumb' });
    const xterm = await live({ TERM: 'xterm-256color' });
    expect(dumb.code, dumb.stdout).toBe(0);
    expect(dumb.stdout).toMatch(/^live · activity \S+ · \d+ sent · \d+ buffered/m);
    expect(dumb.stdout.includes(ESC), JSON.stringify(dumb.stdout)).toBe(false);
    expect(xterm.code, xterm.stdout).toBe(0);
    expect(xterm.stdout).toContain(`\r${ESC}[K`);
  });
});

describe.concurrent('the demo', () => {
  it('writes no escape sequence when its output is not a terminal', async () => {
    const child = spawn(process.execPath, [join(REPO, 'dist/src/demo/main.js')], { env: { ...process.env, TERM: 'xterm-256color' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const output = Buffer.concat(chunks).toString();
    expect(code, output).toBe(0);
    expect(output).toContain('▶ mmt-sync --once');
    expect(output.includes(ESC)).toBe(false);
  });
});

// One sync at a time: a --once run uploads everything queued, another run's files too.
describe('progress on a pseudo-terminal', () => {
  it('TERM=dumb: plain progress lines, no escape byte at all', async () => {
    const result = await runCliInPty(['--once', '--folder', folderOfActivities()], { ...home.env, TERM: 'dumb' });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/uploaded 1\/3 files · [\d.]+ MB · run-\d+-\d\.fit/);
    expect(result.stdout).toMatch(/uploaded 3\/3 files/);
    expect(result.stdout).toContain('sync summary');
    expect(result.stdout.includes(ESC), JSON.stringify(result.stdout)).toBe(false);
  });

  it('NO_COLOR on a capable terminal: the same plain lines', async () => {
    const result = await runCliInPty(['--once', '--folder', folderOfActivities()], { ...home.env, TERM: 'xterm-256color', NO_COLOR: '1' });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/uploaded 3\/3 files/);
    expect(result.stdout.includes(ESC)).toBe(false);
  });

  it('a terminal that takes escapes gets the bar (the control: the pty shows what is drawn)', async () => {
    const result = await runCliInPty(['--once', '--folder', folderOfActivities()], { ...home.env, TERM: 'xterm-256color' });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout.includes(ESC)).toBe(true);
    expect(result.stdout).toMatch(/uploading \[.+\] 3\/3 files/);
  });
});
