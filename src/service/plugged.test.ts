import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { runPlugged } from './plugged.js';

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A sync stand-in that records the arguments it was started with. */
function recorder(): { argv: string[]; calls: () => string[][] } {
  const dir = temp('mmt-sync-recorder-');
  const script = join(dir, 'record.mjs');
  const out = join(dir, 'calls.jsonl');
  writeFileSync(script, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`);
  return {
    argv: [process.execPath, script, 'sync'],
    calls: () => {
      try {
        return readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
      } catch {
        return [];
      }
    },
  };
}

function garminSysfs(interfaceClass: string): string {
  const root = temp('mmt-sync-sysfs-');
  mkdirSync(join(root, '1-4'));
  const attrs = { idVendor: '091e', idProduct: '4f42', serial: '0000d7975783', manufacturer: 'Garmin', product: 'Forerunner 255', busnum: '1', devnum: '7' };
  for (const [k, v] of Object.entries(attrs)) writeFileSync(join(root, '1-4', k), `${v}\n`);
  mkdirSync(join(root, '1-4:1.0'));
  writeFileSync(join(root, '1-4:1.0', 'bInterfaceClass'), `${interfaceClass}\n`);
  return root;
}

const base = { log: silentLogger, signal: new AbortController().signal, uid: 1000, mountWaitMs: 0 };

describe('service plugged (what mmt-sync-device@.service runs)', () => {
  it('syncs the activity folder of an MTP watch the desktop has mounted through gvfs, and leaves the mount alone', async () => {
    const runtime = temp('mmt-sync-runtime-');
    const activity = join(runtime, 'gvfs', 'mtp:host=Garmin_Forerunner_255_0000d7975783', 'Internal Storage', 'GARMIN', 'Activity');
    mkdirSync(activity, { recursive: true });
    writeFileSync(join(activity, '2026-11-28-07-00-00.fit'), 'x');
    const sync = recorder();
    const result = await runPlugged({ ...base, device: '1-4', sysfsRoot: garminSysfs('ff'), syncArgv: sync.argv, env: { PATH: '', XDG_RUNTIME_DIR: runtime } });
    expect(result).toEqual({ device: '1-4', transport: 'mtp', mountedBy: 'gvfs', activityFolder: activity, synced: true });
    expect(sync.calls()).toEqual([['sync', '--folder', activity]]);
  });

  it('says clearly what to install when neither gio nor jmtpfs can mount it', async () => {
    const sync = recorder();
    const runPlain = runPlugged({ ...base, device: '1-4', sysfsRoot: garminSysfs('06'), syncArgv: sync.argv, env: { PATH: '', XDG_RUNTIME_DIR: temp('mmt-sync-runtime-') } });
    await expect(runPlain).rejects.toThrow(/gio \(gvfs\) is not installed and jmtpfs is not installed; install gvfs-backends or jmtpfs/);
    expect(sync.calls()).toEqual([]);
  });

  it('does nothing for a device that is already gone', async () => {
    const sync = recorder();
    const result = await runPlugged({ ...base, device: '7-7', sysfsRoot: temp('mmt-sync-sysfs-'), syncArgv: sync.argv, env: { PATH: '' } });
    expect(result).toEqual({ device: '7-7', transport: 'gone', synced: false });
    expect(sync.calls()).toEqual([]);
  });
});
