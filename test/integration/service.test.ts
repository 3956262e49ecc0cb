/**
 * `mmt-sync service install|uninstall|status` as a user runs them, into a temporary HOME.
 * No systemd user manager is reachable from these processes (the session bus and runtime
 * directory are withheld), so nothing ever touches the machine's real services; install
 * then writes the files and says which command enables them later.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileTokenStore } from '../../src/auth/file-store.js';
import { accountName } from '../../src/auth/token-store.js';
import { makeHome, REPO, runCli, type TestHome } from '../helpers/cli.js';

const API = { baseUrl: 'http://127.0.0.1:9/api3/', clientId: 'c', clientSecret: 'unused-secret' };

interface PlannedFile {
  path: string;
  content: string;
  state: string;
}
interface ActionJson {
  files: PlannedFile[];
  removed: string[];
  createdDirs: string[];
  commands: Array<{ argv: string[]; state: string }>;
  later?: string;
  manager?: { reachable: boolean; reason?: string };
  udev?: { sudo: string; rule: string; installed: boolean };
}

/** Every path under dir (folders with a trailing /), sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) {
        out.push(`${relative(dir, path)}/`);
        walk(path);
      } else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

function isolatedHome(extraYaml = ''): TestHome {
  const home = makeHome(API, extraYaml);
  // No session bus, no runtime dir: `systemctl --user` cannot reach any manager.
  const env = { ...home.env };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.XDG_RUNTIME_DIR;
  return { ...home, env };
}

const hasSystemdAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `systemd-analyze verify --user` on these unit files; the output (warnings included) must be empty. */
function verifyUnits(files: string[]): { code: number; output: string } {
  const runtime = mkdtempSync(join(tmpdir(), 'mmt-sync-rt-'));
  try {
    execFileSync('systemd-analyze', ['verify', '--user', '--man=no', ...files], {
      env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: runtime, HOME: runtime },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, output: '' };
  } catch (error) {
    const e = error as { status: number; stdout: Buffer; stderr: Buffer };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  } finally {
    rmSync(runtime, { recursive: true, force: true });
  }
}

const homes: TestHome[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home.dir, { recursive: true, force: true });
});

const unitDir = (home: TestHome) => join(home.dir, 'config', 'systemd', 'user');

describe.skipIf(process.platform !== 'linux')('mmt-sync service (Linux, systemd user units)', () => {
  it('--dry-run prints every file and command and touches nothing; install writes exactly those files; again changes nothing; uninstall leaves nothing behind', async () => {
    const home = isolatedHome();
    homes.push(home);
    const before = tree(home.dir);

    const dry = await runCli(['service', 'install', '--dry-run', '--json'], home.env);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as ActionJson;
    expect(tree(home.dir)).toEqual(before);
    const units = ['mmt-sync.service', 'mmt-sync-media.path', 'mmt-sync-media.service', 'mmt-sync-device@.service'];
    expect(plan.files.map((f) => f.path)).toEqual(units.map((u) => join(unitDir(home), u)));
    expect(plan.files.every((f) => f.state === 'new')).toBe(true);
    expect(plan.commands.map((c) => c.argv.join(' '))).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable --now mmt-sync.service mmt-sync-media.path',
    ]);
    expect(plan.udev?.sudo).toBe(`sudo install -m 0644 ${join(REPO, 'systemd', '71-mmt-sync.rules')} /etc/udev/rules.d/71-mmt-sync.rules`);

    // The text form shows the same files, byte for byte, and the commands.
    const dryText = await runCli(['service', 'install', '--dry-run'], home.env);
    expect(dryText.code, dryText.stderr).toBe(0);
    for (const file of plan.files) expect(dryText.stdout).toContain(`# file ${file.path} (new)\n${file.content}`);
    expect(dryText.stdout).toContain('# would run: systemctl --user enable --now mmt-sync.service mmt-sync-media.path');
    expect(dryText.stdout).toContain(plan.udev!.sudo);
    expect(dryText.stdout).toContain('ENV{SYSTEMD_USER_WANTS}+="mmt-sync-device@%k.service"');
    expect(tree(home.dir)).toEqual(before);

    const install = await runCli(['service', 'install', '--json'], home.env);
    expect(install.code, install.stderr).toBe(0);
    const done = JSON.parse(install.stdout) as ActionJson;
    expect(done.manager?.reachable).toBe(false);
    expect(done.later).toBe('systemctl --user daemon-reload && systemctl --user enable --now mmt-sync.service mmt-sync-media.path');
    expect(done.commands.every((c) => c.state === 'pending')).toBe(true);
    expect(install.stderr).toMatch(/no service manager reachable/);

    const expected = [
      ...before,
      'config/systemd/',
      'config/systemd/user/',
      ...units.map((u) => `config/systemd/user/${u}`),
      'state/',
      'state/mmt-sync/',
      'state/mmt-sync/service-install.json',
    ].sort();
    expect(tree(home.dir)).toEqual(expected);
    for (const file of plan.files) expect(readFileSync(file.path, 'utf8')).toBe(file.content);
    expect(statSync(join(home.dir, 'state', 'mmt-sync')).mode & 0o777).toBe(0o700);

    const unit = readFileSync(join(unitDir(home), 'mmt-sync.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} ${join(REPO, 'dist', 'src', 'cli', 'main.js')} watch`);
    expect(unit).toContain(`ReadWritePaths=${home.stateDir}`);
    expect(unit).toContain(`Environment="XDG_CONFIG_HOME=${join(home.dir, 'config')}"`);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^StartLimitBurst=5$/m);
    for (const key of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=read-only', 'PrivateTmp=yes']) expect(unit).toContain(key);

    if (hasSystemdAnalyze) {
      const instance = mkdtempSync(join(tmpdir(), 'mmt-sync-instance-'));
      copyFileSync(join(unitDir(home), 'mmt-sync-device@.service'), join(instance, 'mmt-sync-device@1-4.service'));
      const verdict = verifyUnits([...plan.files.map((f) => f.path), join(instance, 'mmt-sync-device@1-4.service')]);
      rmSync(instance, { recursive: true, force: true });
      expect(verdict.output).toBe('');
      expect(verdict.code).toBe(0);
    }

    const again = await runCli(['service', 'install', '--json'], home.env);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as ActionJson).files.every((f) => f.state === 'unchanged')).toBe(true);
    expect(tree(home.dir)).toEqual(expected);

    const status = await runCli(['service', 'status', '--json'], home.env);
    expect(status.code, status.stderr).toBe(0);
    const state = JSON.parse(status.stdout) as { installed: boolean; mode: string; units: Array<{ name: string; current: boolean }>; lastSync?: unknown };
    expect(state.installed).toBe(true);
    expect(state.mode).toBe('daemon');
    expect(state.units.map((u) => u.name)).toEqual(units);
    expect(state.units.every((u) => u.current)).toBe(true);
    expect(state.lastSync).toBeUndefined();
    expect(tree(home.dir)).toEqual(expected);

    const dryUninstall = await runCli(['service', 'uninstall', '--dry-run'], home.env);
    expect(dryUninstall.code, dryUninstall.stderr).toBe(0);
    for (const u of units) expect(dryUninstall.stdout).toContain(`# would remove ${join(unitDir(home), u)}`);
    expect(tree(home.dir)).toEqual(expected);

    const uninstall = await runCli(['service', 'uninstall'], home.env);
    expect(uninstall.code, uninstall.stderr).toBe(0);
    for (const u of units) expect(uninstall.stdout).toContain(`removed ${join(unitDir(home), u)}`);
    expect(tree(home.dir)).toEqual(before);

    const notInstalled = await runCli(['service', 'status'], home.env);
    expect(notInstalled.code).toBe(1);
    expect(notInstalled.stdout).toMatch(/not installed: run `mmt-sync service install`/);
  });

  it('--once-timer installs the timer instead of the daemon, and removes the daemon unit it replaces', async () => {
    const home = isolatedHome();
    homes.push(home);
    const before = tree(home.dir);
    expect((await runCli(['service', 'install'], home.env)).code).toBe(0);
    const timer = await runCli(['service', 'install', '--once-timer', '--json'], home.env);
    expect(timer.code, timer.stderr).toBe(0);
    const result = JSON.parse(timer.stdout) as ActionJson;
    expect(result.removed).toEqual([join(unitDir(home), 'mmt-sync.service')]);
    expect(result.later).toBe('systemctl --user daemon-reload && systemctl --user enable --now mmt-sync-once.timer mmt-sync-media.path');
    expect(readdirSync(unitDir(home)).sort()).toEqual(
      ['mmt-sync-device@.service', 'mmt-sync-media.path', 'mmt-sync-media.service', 'mmt-sync-once.service', 'mmt-sync-once.timer'].sort(),
    );
    if (hasSystemdAnalyze) {
      const verdict = verifyUnits(result.files.map((f) => f.path));
      expect(verdict.output).toBe('');
      expect(verdict.code).toBe(0);
    }
    const status = await runCli(['service', 'status'], home.env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/installed \(once, systemd user units\)/);
    expect(status.stdout).toMatch(/^last sync: +never$/m);

    // What the timer's service runs, once: status then shows its result; uninstall keeps the journal.
    // sync wants a login before it scans: a live token (nothing here asks the server).
    await new FileTokenStore(home.stateDir, accountName(API.baseUrl, API.clientId)).write({ accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, obtainedAt: Date.now() });
    const empty = mkdtempSync(join(tmpdir(), 'mmt-sync-empty-'));
    const sync = await runCli(['sync', '--folder', empty], home.env);
    rmSync(empty, { recursive: true, force: true });
    expect(sync.code, sync.stderr).toBe(0);
    const after = await runCli(['service', 'status'], home.env);
    expect(after.stdout).toMatch(/^last sync: +\d{4}-\d\d-\d\dT[\d:.]+Z \(0 uploaded, 0 already there, 0 failed, 0 pending\)$/m);
    expect((await runCli(['service', 'uninstall'], home.env)).code).toBe(0);
    // The journal stays, and so does the configuration as last validated (src/config/cache.ts), and the login.
    const kept = (p: string) => p.startsWith('state/mmt-sync/journal.sqlite') || p === 'state/mmt-sync/config-cache.json' || /^state\/mmt-sync\/tokens-\w+\.json$/.test(p);
    expect(tree(home.dir).filter((p) => !kept(p))).toEqual([...before, 'state/', 'state/mmt-sync/'].sort());
  });

  it('leaves files it did not write alone, and directories that existed before', async () => {
    const home = isolatedHome('devices:\n  autoDetect: false\n');
    homes.push(home);
    mkdirSync(unitDir(home), { recursive: true });
    const mine = join(unitDir(home), 'mmt-sync-media.path');
    const other = join(unitDir(home), 'something-else.service');
    for (const path of [mine, other]) execFileSync('sh', ['-c', `printf '[Unit]\\nDescription=hand-written\\n' > "$1"`, 'sh', path]);
    const before = tree(home.dir);
    const install = await runCli(['service', 'install', '--json'], home.env);
    expect(install.code, install.stderr).toBe(0);
    // autoDetect off: no plug-in trigger, no udev advice; the hand-written file stays.
    const result = JSON.parse(install.stdout) as ActionJson;
    expect(result.files.map((f) => f.path)).toEqual([join(unitDir(home), 'mmt-sync.service')]);
    expect(result.removed).toEqual([]);
    expect(result.udev).toBeUndefined();
    expect((await runCli(['service', 'uninstall'], home.env)).code).toBe(0);
    expect(tree(home.dir)).toEqual(before);
    expect(readFileSync(mine, 'utf8')).toContain('hand-written');
  });

  it('refuses an unknown action, and a plug-in run without a USB device name, with exit 2', async () => {
    const home = isolatedHome();
    homes.push(home);
    const unknown = await runCli(['service', 'restart'], home.env);
    expect(unknown.code).toBe(2);
    // The registry declares the actions (they also feed shell completion).
    expect(unknown.stderr).toMatch(/'restart' is invalid for argument 'action'. Allowed choices are install, uninstall, status, plugged/);
    const plugged = await runCli(['service', 'plugged'], { ...home.env, MMT_SYNC_USB_DEVICE: '../../etc' });
    expect(plugged.code).toBe(2);
    expect(plugged.stderr).toMatch(/expected a USB device name like 1-4/);
    const gone = await runCli(['service', 'plugged'], { ...home.env, MMT_SYNC_USB_DEVICE: '99-99' });
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stderr).toMatch(/USB device 99-99 is gone/);
  });
});
