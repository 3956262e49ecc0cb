/**
 * The plug-in path end to end, as far as a machine without a USB watch allows: a volume
 * with a GARMIN/Activity tree appears under a media root, and its activities reach the
 * sandbox without any command, (1) through the running daemon and (2) with no daemon,
 * through the command the installed mmt-sync-media.service runs when its path unit fires
 * (systemd itself is not running here, so the test runs that command as systemd would).
 * The volume is a loop-mounted FAT image where the kernel has vfat, else a bind mount of
 * the same tree; mounting needs root, so the tests are skipped (with the reason) without.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { makeHome, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { scriptedLogin } from '../helpers/login.js';

function tryRun(command: string, args: string[]): string | undefined {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n')[0];
  }
}

function mountSupport(): string | undefined {
  if (process.platform !== 'linux') return 'mounting volumes is only exercised on Linux';
  if (process.getuid?.() !== 0) return 'mounting a volume needs root';
  const probe = mkdtempSync(join(tmpdir(), 'mmt-sync-bind-probe-'));
  try {
    const failed = tryRun('mount', ['--bind', probe, probe]);
    if (failed) return `bind mounts are not allowed here: ${failed}`;
    tryRun('umount', [probe]);
    return undefined;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

interface Volume {
  readonly kind: 'vfat loop image' | 'bind mount';
  /** Mounts the volume on an existing, empty directory. */
  mountOn(at: string): void;
}

/** Unmounts, lazily when something still holds the volume. */
function unmount(at: string): void {
  if (tryRun('umount', [at])) tryRun('umount', ['-l', at]);
}

/** The files, on a FAT image when this kernel mounts one, else in a folder to bind-mount. */
function makeVolume(work: string, files: Record<string, Uint8Array>): Volume {
  const tree = join(work, 'tree');
  const image = join(work, 'watch.img');
  const write = (root: string) => {
    for (const [path, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), bytes);
    }
  };
  mkdirSync(tree);
  const vfatKnown = /\bvfat\b/.test(readFileSync('/proc/filesystems', 'utf8'));
  if (vfatKnown && !tryRun('truncate', ['-s', '16M', image]) && !tryRun('mkfs.vfat', ['-n', 'GARMIN', image]) && !tryRun('mount', ['-o', 'loop', image, tree])) {
    try {
      write(tree);
    } finally {
      unmount(tree);
    }
    return { kind: 'vfat loop image', mountOn: (at) => execFileSync('mount', ['-o', 'loop', image, at]) };
  }
  write(tree);
  return { kind: 'bind mount', mountOn: (at) => execFileSync('mount', ['--bind', tree, at]) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, logs: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- daemon stderr ---\n${logs()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const unsupported = mountSupport();
if (unsupported) process.stderr.write(`service-plugin.test.ts: skipped: ${unsupported}\n`);

function runCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Words of a unit-file command line or assignment, the way systemd splits and unescapes them (enough for what install writes). */
function unitWords(value: string): string[] {
  const words: string[] = [];
  for (const m of value.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    const word = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!;
    words.push(word.replace(/%%/g, '%').replace(/\$\$/g, '$'));
  }
  return words;
}

function unitCommand(unit: string): { argv: string[]; env: Record<string, string> } {
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1];
  if (!exec) throw new Error('no ExecStart=');
  const env: Record<string, string> = {};
  for (const m of unit.matchAll(/^Environment=(.*)$/gm)) {
    for (const assignment of unitWords(m[1]!)) {
      const eq = assignment.indexOf('=');
      env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
  }
  return { argv: unitWords(exec), env };
}

describe.skipIf(unsupported !== undefined)('plugging a watch in', () => {
  let cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup = [];
  });

  /** A logged-in user whose config watches a temporary media root, and a watch volume ready to mount. */
  async function setup() {
    const sandbox: RunningSandbox = await startSandbox({});
    cleanup.push(() => sandbox.close());
    const work = mkdtempSync(join(tmpdir(), 'mmt-sync-plug-'));
    cleanup.push(() => rmSync(work, { recursive: true, force: true }));
    const media = join(work, 'media');
    mkdirSync(media);
    const hourAgo = Date.now() - 3_600_000;
    const volume = makeVolume(work, {
      'GARMIN/Activity/A1.FIT': generateFitActivity({ start: new Date(hourAgo), durationS: 300, serial: 3_900_000_001, seed: 1 }),
      'GARMIN/Activity/A2.FIT': generateFitActivity({ start: new Date(hourAgo + 600_000), durationS: 300, serial: 3_900_000_001, seed: 2, sport: 'cycling' }),
      'GARMIN/Settings/readme.txt': new TextEncoder().encode('not an activity'),
    });
    const home = makeHome(sandbox, `devices:\n  mediaRoots: [${JSON.stringify(media)}]\nintake:\n  settleS: 0.3\n  backfill: all\n`);
    // No session bus: `service install` must not reach a real systemd user manager.
    delete (home.env as Record<string, string | undefined>).DBUS_SESSION_BUS_ADDRESS;
    cleanup.push(() => rmSync(home.dir, { recursive: true, force: true }));
    const login = await scriptedLogin(home);
    expect(login.result.code, login.result.stderr).toBe(0);
    /**
     * What udisks does: a mount point appears under /media/<user> with the volume on it.
     * Mounted first and then moved in with one rename, so the folder never shows up
     * empty (the daemon looks once the burst of events settles; a mount landing after
     * that look would wait for the next scheduled rescan).
     */
    const mounted: string[] = [];
    cleanup.push(() => mounted.forEach(unmount));
    const plugIn = () => {
      const stage = join(work, 'stage', 'user');
      mkdirSync(join(stage, 'WATCH'), { recursive: true });
      volume.mountOn(join(stage, 'WATCH'));
      mounted.push(join(stage, 'WATCH'));
      renameSync(stage, join(media, 'user'));
      mounted[0] = join(media, 'user', 'WATCH');
    };
    return { sandbox, home, volume, plugIn };
  }

  it('with the daemon running: a volume mounted under a watched media root is synced with no command', async () => {
    const { sandbox, home, volume, plugIn } = await setup();
    const daemon: RunningCli = startCli(['watch', '-v'], home.env);
    cleanup.push(async () => {
      daemon.child.kill('SIGTERM');
      await daemon.done;
    });
    await until('the daemon to start watching', async () => (/watching \d+ source|waiting for a watch to be plugged in/.test(daemon.output().stderr) ? true : undefined), 20_000, () => daemon.output().stderr);
    expect(await listActivities(sandbox)).toHaveLength(0);

    plugIn();
    const activities = await until(
      `2 uploads from the ${volume.kind}`,
      async () => {
        const list = await listActivities(sandbox);
        return list.length >= 2 ? list : undefined;
      },
      30_000,
      () => daemon.output().stderr,
    );
    expect(activities).toHaveLength(2);
    expect(activities.every((a) => a.format === 'fit')).toBe(true);
    expect(daemon.output().stderr).toMatch(/plugged in: /);
  });

  it('with no daemon: the command mmt-sync-media.service runs (taken from the installed unit) syncs the mounted volume', async () => {
    const { sandbox, home, plugIn } = await setup();
    const install = await runCli(['service', 'install'], home.env);
    expect(install.code, install.stderr).toBe(0);
    const unit = readFileSync(join(home.dir, 'config', 'systemd', 'user', 'mmt-sync-media.service'), 'utf8');
    expect(unit).toMatch(/^ExecCondition=.*is-active mmt-sync\.service/m);
    const { argv, env } = unitCommand(unit);
    expect(argv.slice(-1)).toEqual(['sync']);

    plugIn();
    const run = await runCommand(argv, { PATH: process.env.PATH, HOME: home.dir, ...env });
    expect(run.code, run.stderr).toBe(0);
    const activities = await listActivities(sandbox);
    expect(activities).toHaveLength(2);
    expect(run.stderr).toMatch(/found .* at .*GARMIN\/Activity/);
  });
});
