import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findExecutable } from '../service/exec.js';
import { gdbusArgv, gvariantString, notifySyncResult, osascriptArgv, sendNotification } from './notify.js';

const gdbus = findExecutable('gdbus');
const dbusDaemon = findExecutable('dbus-daemon');
const dbusMonitor = findExecutable('dbus-monitor');

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.reverse()) step();
  cleanup = [];
});

/** Starts a private session bus and returns its address. */
async function privateBus(): Promise<string> {
  const daemon = spawn(dbusDaemon!, ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  cleanup.push(() => daemon.kill());
  return new Promise((resolve, reject) => {
    let out = '';
    daemon.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    daemon.on('error', reject);
  });
}

/** Watches every Notify call on the bus; resolves once the monitor is in place. */
async function monitor(address: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(dbusMonitor!, ['--address', address, "interface='org.freedesktop.Notifications'"], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => child.kill());
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  // The monitor says hello (NameAcquired / NameLost of its own) once it is listening.
  const deadline = Date.now() + 5_000;
  while (!out && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { child, output: () => out };
}

describe('desktop notifications', () => {
  it('quote GVariant strings so gdbus reads them back as they were', () => {
    expect(gvariantString('say "hi"\\ now\nbye')).toBe('"say \\"hi\\"\\\\ now\\nbye"');
    expect(gvariantString('\u0001')).toBe('"\\u0001"');
  });

  it('pass title and body to AppleScript as arguments, never as source', () => {
    const argv = osascriptArgv({ title: 'mmt-sync: 1 activity uploaded', body: '" & do shell script "rm -rf ~" & "', urgency: 'low' });
    expect(argv.slice(0, 6).join(' ')).not.toContain('rm -rf');
    expect(argv.slice(-2)).toEqual(['mmt-sync: 1 activity uploaded', '" & do shell script "rm -rf ~" & "']);
  });

  it('do nothing, quietly, when notify is off, when nothing happened, or where no session bus exists', async () => {
    expect(await notifySyncResult({ notify: false }, { uploaded: 3, failed: [], loginRequired: false })).toMatchObject({ sent: false });
    expect(await notifySyncResult({ notify: true }, { uploaded: 0, failed: [], loginRequired: false })).toMatchObject({ sent: false, reason: 'nothing to tell' });
    const none = await notifySyncResult({ notify: true }, { uploaded: 1, failed: [], loginRequired: false }, { env: { PATH: process.env.PATH }, platform: 'linux' });
    expect(none).toEqual({ sent: false, reason: 'no D-Bus session bus' });
    expect(await sendNotification({ title: 't', body: 'b', urgency: 'low' }, { env: { PATH: '' }, platform: 'win32' })).toMatchObject({ sent: false });
  });

  it.skipIf(!gdbus || !dbusDaemon || !dbusMonitor)('send a freedesktop Notify call with the text intact (seen on a private bus); no server there means silently nothing', async () => {
    const address = await privateBus();
    const watch = await monitor(address);
    // Only gdbus on PATH, so this exercises the D-Bus call itself even where notify-send exists.
    const bin = mkdtempSync(join(tmpdir(), 'mmt-sync-bin-'));
    cleanup.push(() => rmSync(bin, { recursive: true, force: true }));
    symlinkSync(gdbus!, join(bin, 'gdbus'));
    const failed = [{ file: '/media/u/GARMIN/Activity/Run "5k" <fast> & \\ fun.fit', reason: 'HTTP 422: bad file' }];
    const result = await notifySyncResult({ notify: true }, { uploaded: 2, failed, loginRequired: false }, { env: { PATH: bin, DBUS_SESSION_BUS_ADDRESS: address } });
    // Nobody serves org.freedesktop.Notifications on this bus: the call fails, and that is fine.
    expect(result.sent).toBe(false);
    expect(result.reason).toMatch(/^gdbus: /);
    const deadline = Date.now() + 5_000;
    while (!watch.output().includes('member=Notify') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const seen = watch.output();
    expect(seen).toContain('member=Notify');
    expect(seen).toContain('string "mmt-sync"');
    expect(seen).toContain('string "mmt-sync: 2 activities uploaded, 1 failed"');
    expect(seen).toContain('Run "5k" &lt;fast&gt; &amp; \\ fun.fit: HTTP 422: bad file');
    expect(seen).toMatch(/string "urgency"\s+variant\s+byte 1/);
    expect(gdbusArgv({ title: 't', body: 'b', urgency: 'critical' }).at(-1)).toBe('0');
  });
});
