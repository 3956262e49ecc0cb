import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { AsyncEntry } from '@napi-rs/keyring';
import { keyringReachable } from '../helpers/keyring.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { readStats } from '../../src/sandbox/testkit.js';
import { makeHome, runCli, startCli } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';


const required = process.env.MMT_SYNC_REQUIRE_KEYCHAIN === '1';
const reachable = await keyringReachable();

describe('tokens in the OS keychain (Secret Service)', () => {
  it('a keyring is reachable where MMT_SYNC_REQUIRE_KEYCHAIN=1 says one must be', () => {
    // CI sets the variable and starts gnome-keyring; this fails, never skips, when it is missing.
    if (required) expect(reachable, 'no Secret Service keyring reachable on the session bus').toBe(true);
    else expect(typeof reachable).toBe('boolean');
  });

  describe.runIf(reachable || required)('with a keyring', () => {
    let sandbox: RunningSandbox;
    beforeAll(async () => {
      sandbox = await startSandbox({ tokenTtlS: 3600 });
    });
    afterAll(async () => {
      await sandbox.close();
    });

    it('login stores one entry (service mmt-sync, account = base URL + client id), status reads it, logout deletes it', async () => {
      const home = makeHome(sandbox, '', 'keychain');
      const { result } = await scriptedLogin(home);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('keychain');
      const account = `${sandbox.baseUrl}#${sandbox.clientId}`;
      const secret = await new AsyncEntry('mmt-sync', account, { linux: { store: 'secret-service' } }).getSecret();
      const stored = secret ? Buffer.from(secret).toString('utf8') : null;
      expect(stored).toBeTruthy();
      const parsed = JSON.parse(stored!) as { accessToken: string; refreshToken: string };
      expect(parsed.refreshToken.length).toBeGreaterThan(10);
      // The same entry through the platform's own tool.
      const viaTool = execFileSync('secret-tool', ['lookup', 'service', 'mmt-sync', 'username', account], {
        env: process.env,
      }).toString();
      expect(viaTool).toContain(parsed.refreshToken);
      const status = await runCli(['status', '--json'], home.env);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).not.toContain(parsed.accessToken);
      expect((await runCli(['logout'], home.env)).code).toBe(0);
      expect(await new AsyncEntry('mmt-sync', account, { linux: { store: 'secret-service' } }).getPassword()).toBeNull();
    });
  });

  it('without a reachable keyring, says so in one line with the fix and never falls back to a file', async () => {
    const sandbox = await startSandbox({});
    try {
      const home = makeHome(sandbox, '', 'keychain');
      const env = { ...home.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
      // Not logged in, as far as anyone can tell: said as that, with why and the fix (exit 3, not a D-Bus error).
      const status = await runCli(['status'], env);
      expect(status.code, status.stderr).toBe(3);
      const line = status.stdout.split('\n').find((l) => l.includes('not logged in'));
      expect(line).toMatch(/^.*not logged in \(keychain unreachable: .+\): start a keyring or set auth\.tokenStore: file, then `mmt-sync login`$/);
      expect(status.stderr.trim().split('\n').filter((l) => l.includes('error:'))).toHaveLength(1);
      const logout = await runCli(['logout'], env);
      expect(logout.code, logout.stderr).toBe(0);
      expect(logout.stdout).toMatch(/^not logged in \(keychain unreachable: .+\); nothing to do$/m);
      expect(readdirSync(home.stateDir).filter((name) => name.startsWith('tokens-'))).toEqual([]);
      // login finds out before any browser is sent anywhere: no authorize URL is printed.
      const login = await runCli(['login', '--no-browser'], env);
      expect(login.code).toBe(2);
      expect(login.stdout).toBe('');
      expect(login.stderr).toMatch(/keychain/);
      // setup too: the secret cannot be kept, so it stops before any URL and before the config file changes.
      const configBefore = readFileSync(home.configFile, 'utf8');
      const setup = startCli(['setup', '--base-url', sandbox.baseUrl, '--client-id', sandbox.clientId, '--client-secret-stdin', '--no-browser', '--token-store', 'keychain', '--since', 'none', '--no-service'], env, `${sandbox.clientSecret}\n`);
      const setupResult = await setup.done;
      expect(setupResult.code).toBe(2);
      expect(setupResult.stdout).toBe('');
      expect(setupResult.stderr).toMatch(/keychain/);
      expect(readFileSync(home.configFile, 'utf8')).toBe(configBefore);
      expect((await readStats(sandbox)).requests.authorize ?? 0).toBe(0);
    } finally {
      await sandbox.close();
    }
  });
});
