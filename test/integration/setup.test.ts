import { AsyncEntry } from '@napi-rs/keyring';
import { keyringReachable } from '../helpers/keyring.js';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { approveAuthorization } from '../../src/sandbox/headless.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { localDateTime } from '../../src/present/present.js';
import { garminDeviceXml } from '../../src/sources/test-fixtures.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { CORPUS, runCli, startCli, type CliResult, type TestHome } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';
import { startCliInPty } from '../helpers/pty.js';

/** A user who has never run mmt-sync: no config folder, no state. */
function newUser(env: NodeJS.ProcessEnv = {}): TestHome {
  const dir = mkdtempSync(join(tmpdir(), 'mmt-sync-setup-'));
  return {
    dir,
    configFile: join(dir, 'config', 'mmt-sync', 'config.yaml'),
    stateDir: join(dir, 'state', 'mmt-sync'),
    env: { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state'), ...env },
  };
}

/** Every file under dir, with its text. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path).toString('latin1') }));
}

/** `setup` without a terminal, its authorize URL approved by a script as a person would in the browser. */
async function scriptedSetup(home: TestHome, sandbox: RunningSandbox, args: string[]): Promise<{ result: CliResult; firstLine: string }> {
  const cli = startCli(
    ['setup', '--base-url', sandbox.baseUrl, '--client-id', sandbox.clientId, '--client-secret-stdin', '--no-browser', ...args],
    home.env,
    `${sandbox.clientSecret}\n`,
  );
  const firstLine = await Promise.race([
    cli.firstLine,
    cli.done.then((r) => {
      throw new Error(`setup exited ${r.code} before printing the authorize URL:\n${r.stderr}`);
    }),
  ]);
  const callback = await approveAuthorization(firstLine);
  await (await fetch(callback)).text();
  return { result: await cli.done, firstLine };
}

/** Three real activities from years ago, in a folder the user's config names. */
function oldActivities(home: TestHome): string {
  const folder = join(home.dir, 'exports');
  mkdirSync(folder);
  for (const file of ['fit/2013-02-06-12-11-14.fit', 'fit/2015-10-13-08-43-15.fit', 'fit/20170518-191602-1740899583.fit']) {
    copyFileSync(join(CORPUS, file), join(folder, file.split('/')[1]!));
  }
  return folder;
}

const homes: TestHome[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home.dir, { recursive: true, force: true });
});

describe('mmt-sync setup without a terminal, against the sandbox', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ tokenTtlS: 2 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('file store: creates the config folder and file (no secret in it), keeps the secret 0600 in the state dir, logs in, holds older activities back with the command that sends them, installs the service', async () => {
    // No session bus: `systemctl --user` reaches no manager, so the service is written and left to enable.
    const home = newUser();
    homes.push(home);
    expect(existsSync(join(home.dir, 'config'))).toBe(false);
    const { result, firstLine } = await scriptedSetup(home, sandbox, ['--token-store', 'file', '--since', 'none', '--service']);
    expect(result.code, result.stderr).toBe(0);
    expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api3\/oauth\/authorize\?[^ ]+$/);
    expect(statSync(join(home.dir, 'config', 'mmt-sync')).mode & 0o777).toBe(0o700);
    const config = readFileSync(home.configFile, 'utf8');
    expect(config).toContain(`clientId: ${sandbox.clientId}`);
    expect(config).toContain('tokenStore: file');
    expect(config).not.toContain(sandbox.clientSecret);
    const secretFile = readdirSync(home.stateDir).find((name) => name.startsWith('client-secret-'))!;
    expect(readFileSync(join(home.stateDir, secretFile), 'utf8').trim()).toBe(sandbox.clientSecret);
    expect(statSync(join(home.stateDir, secretFile)).mode & 0o777).toBe(0o600);
    // The secret is in that one file and nowhere else (config, logs, journal, units).
    const holders = filesUnder(home.dir).filter((f) => f.text.includes(sandbox.clientSecret)).map((f) => f.path);
    expect(holders).toEqual([join(home.stateDir, secretFile)]);
    expect(result.stdout + result.stderr).not.toContain(sandbox.clientSecret);
    expect(readdirSync(home.stateDir).some((name) => name.startsWith('tokens-'))).toBe(true);
    expect(existsSync(join(home.dir, 'config', 'systemd', 'user', 'mmt-sync.service'))).toBe(true);
    expect(result.stdout).toContain('setup done');
    expect(result.stdout).toMatch(/nothing to watch|no watch connected yet/);
    // A later login, with the service installed and its daemon not running: says how to start it again.
    const again = await scriptedLogin(home);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.result.stderr).toContain('the background service is installed but its daemon is not running (it stops when there is no login): `mmt-sync service install` starts it again');
  });

  it('file store with a configured folder: shows it, counts the older activities, --since sends them; the next sync uploads them, refreshing with the stored secret', async () => {
    const home = newUser();
    homes.push(home);
    const folder = oldActivities(home);
    mkdirSync(join(home.dir, 'config', 'mmt-sync'), { recursive: true });
    // An older secret written in the file: the one typed now replaces it, in the store.
    writeFileSync(home.configFile, `# my folders\nsources:\n  - path: ${folder}\napi:\n  clientSecret: an-old-secret\n`);

    const held = await scriptedSetup(home, sandbox, ['--token-store', 'file', '--since', 'none', '--no-service']);
    expect(held.result.code, held.result.stderr).toBe(0);
    expect(held.result.stderr).toContain('(its client secret moved to the token store)');
    expect(readFileSync(home.configFile, 'utf8')).not.toContain('clientSecret');
    expect(held.result.stdout).toContain(`found:\n  `);
    expect(held.result.stdout).toContain(folder);
    expect(held.result.stdout).toMatch(/^3 older activities on .+ \(2013-02-0\d to 2017-05-1\d\)$/m);
    expect(held.result.stdout).toMatch(/^held back; to send them later: mmt-sync sync --since 2013-02-0\d$/m);
    expect(held.result.stdout).toContain('`mmt-sync service install`');
    const config = readFileSync(home.configFile, 'utf8');
    expect(config).toContain('# my folders');
    expect(config).toContain(folder);

    // Setup again, now sending them: already logged in, no browser needed.
    const again = await runCli(['setup', '--base-url', sandbox.baseUrl, '--client-id', sandbox.clientId, '--token-store', 'file', '--since', '2010-01-01', '--no-service', '--no-browser'], home.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('already logged in');
    expect(again.stdout).toContain('3 older activities from 2010-01-01 on will upload with the next sync');

    // The access token (2 s) has expired: the upload refreshes it with the secret from the store.
    await new Promise((r) => setTimeout(r, 2200));
    const before = (await listActivities(sandbox)).length;
    const sync = await runCli(['sync'], home.env);
    expect(sync.code, sync.stderr).toBe(0);
    expect((await listActivities(sandbox)).length - before).toBe(3);
  });

  it('a watch plugged in: shows it by name, queues its recent activity, counts the older ones on it and holds them back (--since none)', async () => {
    const home = newUser();
    homes.push(home);
    const media = join(home.dir, 'media');
    const activity = join(media, 'FENIX7', 'GARMIN', 'Activity');
    mkdirSync(activity, { recursive: true });
    writeFileSync(join(media, 'FENIX7', 'GARMIN', 'GarminDevice.xml'), garminDeviceXml({ id: '3412345678', description: 'fenix 7' }));
    const day = 86_400_000;
    for (const [name, daysAgo] of [['recent.fit', 1], ['a.fit', 100], ['b.fit', 200], ['c.fit', 300]] as const) {
      const at = new Date(Date.now() - daysAgo * day);
      writeFileSync(join(activity, name), generateFitActivity({ start: at, durationS: 600, serial: 3412345678, seed: daysAgo }));
      utimesSync(join(activity, name), at, at);
    }
    mkdirSync(join(home.dir, 'config', 'mmt-sync'), { recursive: true });
    writeFileSync(home.configFile, `devices:\n  mediaRoots: [${media}]\napps:\n  detect: false\n`);
    const { result } = await scriptedSetup(home, sandbox, ['--token-store', 'file', '--since', 'none', '--no-service']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^found:\\n  Garmin fenix 7 \\(3412345678\\) — watch, ${join(media, 'FENIX7', 'GARMIN', 'Activity')}$`, 'm'));
    expect(result.stdout).toMatch(/^1 recent activity to upload$/m);
    const day10 = (daysAgo: number) => localDateTime(Date.now() - daysAgo * day).slice(0, 10);
    expect(result.stdout).toMatch(new RegExp(`^3 older activities on .*fenix 7.* \\(${day10(300)} to ${day10(100)}\\)$`, 'm'));
    expect(result.stdout).toContain(`held back; to send them later: mmt-sync sync --since ${new Date(Date.now() - 300 * day).toISOString().slice(0, 10)}`);
  });

  it('without --client-id and nothing configured: one line naming the flag and the README section, exit 2, nothing written', async () => {
    const home = newUser();
    homes.push(home);
    const result = await runCli(['setup', '--no-browser'], home.env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--client-id');
    expect(result.stderr).toContain('Getting API access');
    expect(existsSync(home.configFile)).toBe(false);
  });
});

describe('mmt-sync setup on a terminal (a real pseudo-terminal, answered key by key)', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({});
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('asks for the base URL, client id, secret (never echoed) and store, logs in, shows the folder and its older activities, asks since when, offers the service', async () => {
    const home = newUser();
    homes.push(home);
    const folder = oldActivities(home);
    mkdirSync(join(home.dir, 'config', 'mmt-sync'), { recursive: true });
    writeFileSync(home.configFile, `sources:\n  - path: ${folder}\n`);
    const pty = startCliInPty(['setup', '--no-browser'], { ...home.env, TERM: 'dumb' });
    let at = (await pty.waitFor(/API base URL/)).end;
    pty.type(`${sandbox.baseUrl}\r`);
    at = (await pty.waitFor(/Client id/, at)).end;
    pty.type(`${sandbox.clientId}\r`);
    at = (await pty.waitFor(/Client secret/, at)).end;
    pty.type(`${sandbox.clientSecret}\r`);
    at = (await pty.waitFor(/Where should the tokens and the client secret be kept\?/, at)).end;
    pty.type('\x1b[B\r'); // the second choice: a private file
    const url = await pty.waitFor(/http:\/\/127\.0\.0\.1:\d+\/api3\/oauth\/authorize\?[^\s\x1b]+/, at);
    at = url.end;
    await (await fetch(await approveAuthorization(url.match[0]))).text();
    at = (await pty.waitFor(/3 older activities on .+ \(2013-02-0\d to 2017-05-1\d\)/, at)).end;
    at = (await pty.waitFor(/Upload them too\?/, at)).end;
    pty.type('y\r');
    at = (await pty.waitFor(/Since when\?/, at)).end;
    pty.type('\r'); // the default: the oldest one's date
    at = (await pty.waitFor(/Install the background service/, at)).end;
    pty.type('n\r');
    const result = await pty.done;
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/3 older activities from 2013-02-0\d on will upload with the next sync/);
    expect(result.stdout).toContain('setup done');
    // Typed, never shown: the terminal saw only the mask.
    expect(result.stdout).not.toContain(sandbox.clientSecret);
    const config = readFileSync(home.configFile, 'utf8');
    expect(config).toContain('tokenStore: file');
    expect(config).toContain(folder);
    expect(config).not.toContain(sandbox.clientSecret);
    const secretFile = readdirSync(home.stateDir).find((name) => name.startsWith('client-secret-'))!;
    expect(readFileSync(join(home.stateDir, secretFile), 'utf8').trim()).toBe(sandbox.clientSecret);
    const sync = await runCli(['sync', '--json'], home.env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout).uploaded).toBe(3);
  });
});

const keyring = process.env.MMT_SYNC_REQUIRE_KEYCHAIN === '1' || (await keyringReachable());

describe.runIf(keyring)('mmt-sync setup without a terminal, keychain store', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ tokenTtlS: 3600 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('keeps the client secret in the keychain beside the tokens and in no file; status then works from it', async () => {
    const home = newUser(process.env.DBUS_SESSION_BUS_ADDRESS ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS } : {});
    homes.push(home);
    const account = `${sandbox.baseUrl}#${sandbox.clientId}`;
    const secretEntry = new AsyncEntry('mmt-sync', `${account} client secret`, { linux: { store: 'secret-service' } });
    try {
      const { result, firstLine } = await scriptedSetup(home, sandbox, ['--token-store', 'keychain', '--since', 'none', '--no-service']);
      expect(result.code, result.stderr).toBe(0);
      expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api3\/oauth\/authorize\?/);
      expect(await secretEntry.getPassword()).toBe(sandbox.clientSecret);
      expect(await new AsyncEntry('mmt-sync', account, { linux: { store: 'secret-service' } }).getPassword()).toContain('refreshToken');
      expect(readFileSync(home.configFile, 'utf8')).toContain('tokenStore: keychain');
      expect(filesUnder(home.dir).filter((f) => f.text.includes(sandbox.clientSecret))).toEqual([]);
      const status = await runCli(['status'], home.env);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/logged in/);
    } finally {
      await runCli(['logout'], home.env);
      await secretEntry.deletePassword().catch(() => false);
    }
  });
});
