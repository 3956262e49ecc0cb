/**
 * Hostile and broken configuration: wrong types in nested keys, unknown nested keys,
 * bad `sources` entries, base URLs that would send tokens over plain http to another
 * machine, YAML that is not a mapping, too deep, or an alias bomb, an invalid cron,
 * garbage `--since`. Each must stop the command with exit 2 and one line on stderr
 * naming the key (test/integration/secrets.test.ts has the basic cases: a bad enum
 * value, a top-level unknown key, http://example.com).
 *
 * The whole table goes through loadConfig (what every command loads its config with,
 * and whose usage error the entry point turns into exit 2 and one line); a
 * representative set, and everything that escapes that path, through the real CLI.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { exitCodeFor } from '../../src/errors.js';
import { backfillCutoff } from '../../src/intake/backfill.js';
import { makeHome, runCli, startCli, type CliResult, type TestHome } from '../helpers/cli.js';

const API = { baseUrl: 'http://127.0.0.1:9/api3/', clientId: 'c', clientSecret: 'unused-secret' };

/** A home whose config file is exactly `yaml` (plus a file token store unless the case sets `auth`). */
function homeWith(yaml: string): TestHome {
  const home = makeHome(API);
  writeFileSync(home.configFile, /^auth:/m.test(yaml) ? yaml : `auth:\n  tokenStore: file\n${yaml}`);
  return home;
}

const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-hostile-config-'));
const someFile = join(folder, 'note.txt');
writeFileSync(someFile, 'not an activity');

/** Exit 2 and exactly one line on stderr, which names the key (and says what was wrong). */
function expectOneLine(result: CliResult, ...parts: Array<string | RegExp>): void {
  const lines = result.stderr.trim().split('\n');
  expect(result.code, result.stderr).toBe(2);
  expect(lines, result.stderr).toHaveLength(1);
  for (const part of parts) {
    if (typeof part === 'string') expect(lines[0]).toContain(part);
    else expect(lines[0]).toMatch(part);
  }
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
}

const refusedValues: Array<[string, string, ...string[]]> = [
  ['a string for a number', 'api:\n  timeoutS: "thirty"\n', 'api.timeoutS: expected number, got "thirty"'],
  ['a number for an endpoint path', 'api:\n  paths:\n    token: 42\n', 'api.paths.token: expected string, got 42'],
  ['a fraction for an integer', 'retry:\n  maxAttempts: 2.5\n', 'retry.maxAttempts:', '2.5'],
  ['a value over the maximum', 'upload:\n  concurrency: 1000\n', 'upload.concurrency: expected a value <= 16, got 1000'],
  ['a string for a list', 'devices:\n  mediaRoots: /media\n', 'devices.mediaRoots: expected array, got "/media"'],
  ['a negative duration', 'intake:\n  settleS: -1\n', 'intake.settleS: expected a value >= 0, got -1'],
  ['a size with a unit', 'intake:\n  maxFileMB: "64 MB"\n', 'intake.maxFileMB: expected number, got "64 MB"'],
  ['a YAML string for a boolean', 'notify: "yes"\n', 'notify: expected boolean, got "yes"'],
  ['an unknown log level', 'log:\n  level: verbose\n', 'log.level:', '"verbose"'],
  ['null for a section', 'api: null\n', 'api: expected object, got null'],
  ['a list for a section', 'api: []\n', 'api: expected object, got []'],
  ['an unknown nested key', 'intake:\n  settleSeconds: 2\n', 'intake.settleSeconds: unknown setting'],
  ['an unknown endpoint key', 'api:\n  paths:\n    tokens: oauth/token\n', 'api.paths.tokens: unknown setting'],
  ['an unknown token store', 'auth:\n  tokenStore: plaintext\n', 'auth.tokenStore: expected "keychain" or "file", got "plaintext"'],
  ['a backfill that is no duration or date', 'intake:\n  backfill: yesterday\n', 'intake.backfill:', '"yesterday"'],
  ['a source with an invalid activity type', 'sources:\n  - path: /tmp\n    activityType: swimming-with-sharks\n', 'sources.0.activityType: expected', 'got "swimming-with-sharks"'],
  ['a source activity type in the wrong case', 'sources:\n  - path: /tmp\n  - path: /srv\n    activityType: Running\n', 'sources.1.activityType:', 'got "Running"'],
  ['a source with an unknown key', 'sources:\n  - path: /tmp\n    pth: /x\n', 'sources.0.pth: unknown setting'],
  ['a source with an empty path', 'sources:\n  - path: ""\n', 'sources.0.path: expected a non-empty value'],
  ['a source that is a bare string', 'sources:\n  - /tmp\n', 'sources.0: expected object, got "/tmp"'],
  ['sources as a string', 'sources: /tmp\n', 'sources: expected array, got "/tmp"'],
  ['a source with a bad status', 'sources:\n  - path: /tmp\n    status: pubic\n', 'sources.0.status: expected "public" or "private", got "pubic"'],
  ['a list of globs given as a string', 'sources:\n  - path: /tmp\n    include: "*.fit"\n', 'sources.0.include: expected array'],
];

const refusedUrls = [
  'ftp://127.0.0.1/api3/',
  'http://localhost.evil.example/api3/',
  'http://127.0.0.1.nip.io/api3/',
  'http://127.0.0.1:80@evil.example/api3/',
  'http://[::ffff:8.8.8.8]/api3/',
  'HTTP://EXAMPLE.COM/api3/',
  'http://0.0.0.0/api3/',
  'http://10.0.0.1/api3/',
  'http://192.168.1.10:8780/api3/',
  'javascript:alert(1)',
  'not a url',
];

const acceptedUrls = ['https://example.com/api3/', 'http://127.0.0.1:9/api3/', 'http://127.0.0.2:9/api3/', 'http://[::1]:9/api3/', 'http://localhost:9/api3/', 'http://2130706433:9/api3/'];

/** The usage error loadConfig throws for this config file: exit 2 and a one-line message. */
function loadError(yaml: string, raw = false): { exitCode: number; message: string } {
  const home = homeWith(yaml);
  if (raw) writeFileSync(home.configFile, yaml);
  try {
    loadConfig({ configFile: home.configFile, env: {} });
  } catch (error) {
    return { exitCode: exitCodeFor(error), message: error instanceof Error ? error.message : String(error) };
  }
  return { exitCode: 0, message: '' };
}

function expectRefused(yaml: string | { raw: string }, ...parts: string[]): void {
  const { exitCode, message } = typeof yaml === 'string' ? loadError(yaml) : loadError(yaml.raw, true);
  expect(exitCode, message || 'accepted').toBe(2);
  expect(message).not.toContain('\n');
  for (const part of parts) expect(message).toContain(part);
}

describe('config values refused by loadConfig: exit 2, one line naming the key and the value', () => {
  for (const [what, yaml, ...parts] of refusedValues) {
    it(what, () => expectRefused(yaml, ...parts));
  }

  for (const url of refusedUrls) {
    it(`api.baseUrl ${url}`, () => expectRefused(`api:\n  baseUrl: "${url}"\n`, 'api.baseUrl: expected an https:// URL (plain http only for a loopback host)', JSON.stringify(url)));
  }

  it('loopback and https base URLs are accepted', () => {
    for (const url of acceptedUrls) expect(loadError(`api:\n  baseUrl: "${url}"\n`), url).toEqual({ exitCode: 0, message: '' });
  });

  it('a list instead of a mapping', () => expectRefused({ raw: '- a\n- b\n' }, 'expected a mapping of settings, got ["a","b"]'));
  it('a key given twice', () => expectRefused('upload:\n  status: public\n  status: private\n', 'not valid YAML at line 5', 'Map keys must be unique'));
  it('5,000 nested flow sequences', () => expectRefused(`x: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`, 'not valid YAML'));
  it('5,000 nested block mappings', () => expectRefused(`x:\n${Array.from({ length: 5_000 }, (_, i) => `${' '.repeat(2 * i + 2)}k${i}:`).join('\n')}\n`, 'not valid YAML'));

  for (const since of ['yesterday-ish', '2024-13-45', 'garbage', '14 days', '-1d', '1e3d']) {
    it(`--since ${since}`, () => {
      expect(() => backfillCutoff('14d', since)).toThrow(`--since: expected a date like 2026-01-31, a duration like 14d, or "all", got "${since}"`);
    });
  }
});

describe.concurrent('through the CLI: exit 2 and one line on stderr naming the key', () => {
  it('a wrong type in a nested key', async () => {
    expectOneLine(await runCli(['status'], homeWith('api:\n  paths:\n    token: 42\n').env), 'api.paths.token: expected string, got 42');
  });

  it('a source with an invalid activity type', async () => {
    expectOneLine(await runCli(['status'], homeWith('sources:\n  - path: /tmp\n    activityType: swimming-with-sharks\n').env), 'sources.0.activityType: expected', 'got "swimming-with-sharks"');
  });

  it('plain http to a private-network host', async () => {
    expectOneLine(await runCli(['status'], homeWith('api:\n  baseUrl: "http://192.168.1.10:8780/api3/"\n').env), 'api.baseUrl: expected an https:// URL');
  });

  it('plain http to 127.0.0.1 written as a decimal number is loopback: accepted', async () => {
    const result = await runCli(['inspect', someFile], homeWith('api:\n  baseUrl: "http://2130706433:9/api3/"\n').env);
    expect(result.code, result.stderr).toBe(0);
  });

  it('binary garbage', async () => {
    const home = makeHome(API);
    writeFileSync(home.configFile, Buffer.from([0x00, 0xff, 0xfe, 0x20, 0x3a, 0x5b, 0x0a, 0x7b]));
    expectOneLine(await runCli(['status'], home.env), home.configFile);
  });

  it('garbage --since', async () => {
    expectOneLine(await runCli(['sync', '--since', 'yesterday-ish', '--folder', folder], homeWith('').env), '--since: expected', '"yesterday-ish"');
  });

  it('an alias bomb (billion laughs in YAML): refused in bounded time and memory, exit 2, one line', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expectOneLine(await runCli(['status'], homeWith(`${levels.join('\n')}\n`).env), /alias|YAML/i);
  });

  it('an unknown YAML tag: still one line (no YAML warning on stderr)', async () => {
    expectOneLine(await runCli(['status'], homeWith('upload:\n  status: !!js/function "function(){}"\n').env), 'upload.status');
  });

  it('--config naming a directory', async () => {
    const dir = join(folder, 'config-dir');
    mkdirSync(dir, { recursive: true });
    expectOneLine(await runCli(['status', '--config', dir], makeHome(API).env), dir);
  });

  it('an invalid cron in intake.rescanCron is refused when the config is loaded (status)', async () => {
    expectOneLine(await runCli(['status'], homeWith('intake:\n  rescanCron: "every tuesday"\n').env), 'intake.rescanCron');
  });

  it('an invalid cron stops the daemon at start, naming it', async () => {
    const running = startCli(['watch'], homeWith('intake:\n  rescanCron: "61 * * * *"\ndevices:\n  autoDetect: false\n').env);
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 15_000);
    const result = await running.done;
    clearTimeout(timer);
    expect(result.signal, 'the daemon kept running with an invalid cron').toBeNull();
    expectOneLine(result, 'intake.rescanCron');
  });

  it('--since with an impossible date (February 30) is refused, not read as March 1', async () => {
    expectOneLine(await runCli(['scan', '--since', '2024-02-30', '--folder', folder], homeWith('').env), '--since', '"2024-02-30"');
  });

  it('an empty --since is blamed on --since, not on intake.backfill', async () => {
    expectOneLine(await runCli(['scan', '--since', '', '--folder', folder], homeWith('').env), '--since');
  });

  it('an endpoint path that leaves the base URL\'s host ("//host/…") is refused', async () => {
    expectOneLine(await runCli(['status'], homeWith('api:\n  paths:\n    token: "//evil.example/steal"\n').env), 'api.paths.token');
  });
});
