/**
 * Configuration a person can fix in one go: every problem listed, a typo'd key answered
 * with the key it most likely meant, unknown name-template placeholders refused; and
 * `mmt-sync config path|show` to see which file is read and what is in effect.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { exitCodeFor } from '../../src/errors.js';
import { makeHome, runCli } from '../helpers/cli.js';

const API = { baseUrl: 'http://127.0.0.1:9/api3', clientId: 'the-client', clientSecret: 'file-secret-4b1d' };

function loadError(yaml: string): { exitCode: number; message: string } {
  const home = makeHome(API, yaml);
  try {
    loadConfig({ configFile: home.configFile, env: {} });
  } catch (error) {
    return { exitCode: exitCodeFor(error), message: error instanceof Error ? error.message : String(error) };
  }
  return { exitCode: 0, message: '' };
}

describe('config problems', () => {
  it('lists every problem, one a line, under a count and the file', () => {
    const { exitCode, message } = loadError('upload:\n  status: pubic\n  concurency: 3\nintake:\n  settleS: -1\n');
    expect(exitCode).toBe(2);
    const [head, ...lines] = message.split('\n');
    expect(head).toMatch(/^3 problems in .*config\.yaml:$/);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  upload.status: expected "public" or "private", got "pubic"',
        '  upload.concurency: unknown setting; did you mean upload.concurrency?',
        '  intake.settleS: expected a value >= 0, got -1',
      ]),
    );
    expect(lines).toHaveLength(3);
  });

  it.each([
    ['a top-level section', 'uplaod:\n  status: public\n', 'uplaod: unknown setting; did you mean upload?'],
    ['a key in a section', 'devices:\n  mediaroots: []\n', 'devices.mediaroots: unknown setting; did you mean devices.mediaRoots?'],
    ['a key of a list item', 'sources:\n  - path: /tmp\n    activitytype: running\n', 'sources.0.activitytype: unknown setting; did you mean sources.0.activityType?'],
    ['a longer name of the key', 'intake:\n  settleSeconds: 2\n', 'intake.settleSeconds: unknown setting; did you mean intake.settleS?'],
    ['a key near nothing', 'colour: blue\n', 'colour: unknown setting (see config/default.yaml for the valid keys)'],
  ])('a typo in %s names the nearest key', (_what, yaml, line) => {
    const { exitCode, message } = loadError(yaml);
    expect(exitCode).toBe(2);
    expect(message).toContain(line);
  });

  it('refuses unknown placeholders in the name template, and accepts the known ones', () => {
    const { exitCode, message } = loadError('upload:\n  nameTemplate: "{spor} on {date} ({watch})"\n');
    expect(exitCode).toBe(2);
    expect(message).toContain('upload.nameTemplate: unknown placeholder {spor} (did you mean {sport}?)');
    expect(message).toContain('upload.nameTemplate: unknown placeholder {watch}');
    expect(loadError('upload:\n  nameTemplate: "{sport} {date} {time} {file} {device}"\n')).toEqual({ exitCode: 0, message: '' });
  });

  it('through the CLI: exit 2 and every problem on stderr', async () => {
    const home = makeHome(API, 'upload:\n  status: pubic\n  nameTemplate: "{spor}"\nnotfy: true\n');
    const result = await runCli(['status'], home.env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/3 problems in .*config\.yaml:/);
    expect(result.stderr).toContain('upload.status: expected "public" or "private", got "pubic"');
    expect(result.stderr).toContain('upload.nameTemplate: unknown placeholder {spor} (did you mean {sport}?)');
    expect(result.stderr).toContain('notfy: unknown setting; did you mean notify?');
    expect(result.stderr).not.toMatch(/more problem|internal error/);
  });
});

describe.concurrent('mmt-sync config path', () => {
  it('the file under XDG_CONFIG_HOME, whether it exists or not', async () => {
    const home = makeHome(API);
    const result = await runCli(['config', 'path', '--json'], home.env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ path: home.configFile, exists: true, chosenBy: 'default' });
    const text = await runCli(['config', 'path'], { ...home.env, XDG_CONFIG_HOME: join(home.dir, 'elsewhere') });
    expect(text.stdout).toBe(`${join(home.dir, 'elsewhere', 'mmt-sync', 'config.yaml')}\n`);
    expect(text.stderr).toMatch(/does not exist yet/);
  });

  it('MMT_SYNC_CONFIG, and --config over it', async () => {
    const home = makeHome(API);
    const fromEnv = await runCli(['config', 'path', '--json'], { ...home.env, MMT_SYNC_CONFIG: '/etc/mmt-sync.yaml' });
    expect(JSON.parse(fromEnv.stdout)).toEqual({ path: '/etc/mmt-sync.yaml', exists: false, chosenBy: 'env' });
    const fromFlag = await runCli(['config', 'path', '--json', '--config', home.configFile], { ...home.env, MMT_SYNC_CONFIG: '/etc/mmt-sync.yaml' });
    expect(JSON.parse(fromFlag.stdout)).toEqual({ path: home.configFile, exists: true, chosenBy: 'flag' });
  });
});

describe.concurrent('mmt-sync config show', () => {
  it('every setting in effect and where it came from: default, file, env, flag', async () => {
    const home = makeHome(API, 'upload:\n  concurrency: 4\n');
    const result = await runCli(['config', 'show', '--json', '-q', '--log-format', 'json'], { ...home.env, MMT_CLIENT_ID: 'from-env' });
    expect(result.code, result.stderr).toBe(0);
    const shown = JSON.parse(result.stdout) as { file: string; settings: Array<{ key: string; value: unknown; from: string; name?: string }> };
    expect(shown.file).toBe(home.configFile);
    const byKey = new Map(shown.settings.map((s) => [s.key, s]));
    expect(byKey.get('upload.concurrency')).toEqual({ key: 'upload.concurrency', value: 4, from: 'file' });
    // The validated value: the base URL as used, with its trailing slash.
    expect(byKey.get('api.baseUrl')).toEqual({ key: 'api.baseUrl', value: 'http://127.0.0.1:9/api3/', from: 'file' });
    expect(byKey.get('upload.status')).toEqual({ key: 'upload.status', value: 'private', from: 'default' });
    expect(byKey.get('api.clientId')).toEqual({ key: 'api.clientId', value: 'from-env', from: 'env', name: 'MMT_CLIENT_ID' });
    expect(byKey.get('log.level')).toEqual({ key: 'log.level', value: 'warn', from: 'flag', name: '--quiet' });
    expect(byKey.get('log.format')).toEqual({ key: 'log.format', value: 'json', from: 'flag', name: '--log-format' });
    expect(byKey.get('sources')).toEqual({ key: 'sources', value: [], from: 'default' });
    // Every setting of config/default.yaml is there.
    expect(shown.settings.length).toBeGreaterThan(30);
  });

  it('redacts the client secret, from the file or the environment, in text and JSON', async () => {
    const home = makeHome(API);
    const fromFile = await runCli(['config', 'show'], home.env);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toMatch(/^api\.clientSecret\s+\[redacted\]\s+\(file\)$/m);
    expect(fromFile.stdout).toMatch(/^api\.clientId\s+the-client\s+\(file\)$/m);
    expect(fromFile.stdout).toMatch(/^# config file: .*config\.yaml$/m);
    const fromEnv = await runCli(['config', 'show', '--json'], { ...home.env, MMT_CLIENT_SECRET: 'env-secret-77aa' });
    expect(fromEnv.stdout).toContain('"name": "MMT_CLIENT_SECRET"');
    for (const output of [fromFile.stdout + fromFile.stderr, fromEnv.stdout + fromEnv.stderr]) {
      expect(output).not.toContain('file-secret-4b1d');
      expect(output).not.toContain('env-secret-77aa');
    }
  });

  it('a config with problems is not shown: exit 2 with the problems', async () => {
    const home = makeHome(API);
    writeFileSync(home.configFile, 'upload:\n  status: pubic\n');
    const result = await runCli(['config', 'show'], home.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('upload.status: expected "public" or "private", got "pubic"');
  });
});
