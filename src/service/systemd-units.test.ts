import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../package-root.js';
import { commandWorks, defaultConfig, testContext } from './test-fixtures.js';
import { DEVICE_TEMPLATE, renderUnits, UDEV_RULE, unitsFor } from './systemd-units.js';
import { GENERATED_MARKER } from './templates.js';

const hasSystemdAnalyze = commandWorks('systemd-analyze', ['--version']);

/** Writes the units (and one instance of the template) to a folder and runs `systemd-analyze verify --user` on them. */
function verify(units: Array<{ name: string; content: string }>): { code: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mmt-sync-verify-'));
  const runtime = mkdtempSync(join(tmpdir(), 'mmt-sync-rt-'));
  const files = units.map((u) => {
    const name = u.name === DEVICE_TEMPLATE ? 'mmt-sync-device@3-1.2.service' : u.name;
    writeFileSync(join(dir, name), u.content);
    return join(dir, name);
  });
  try {
    execFileSync('systemd-analyze', ['verify', '--user', '--man=no', ...files], { env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: runtime, HOME: runtime }, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, output: '' };
  } catch (error) {
    const e = error as { status: number; stdout: Buffer; stderr: Buffer };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(runtime, { recursive: true, force: true });
  }
}

describe('systemd user units', () => {
  it('renders the daemon or the timer, plus the plug-in triggers, each marked as generated and fully filled', () => {
    for (const mode of ['daemon', 'once'] as const) {
      const units = renderUnits(testContext({ mode }));
      expect(units.map((u) => u.name)).toEqual(unitsFor(mode, true));
      for (const unit of units) {
        expect(unit.content, unit.name).toContain(GENERATED_MARKER);
        expect(unit.content, unit.name).not.toMatch(/@[A-Z_]+@/);
      }
      expect(units.filter((u) => u.enable).map((u) => u.name)).toEqual(mode === 'daemon' ? ['mmt-sync.service', 'mmt-sync-media.path'] : ['mmt-sync-once.timer', 'mmt-sync-media.path']);
    }
    expect(unitsFor('daemon', false)).toEqual(['mmt-sync.service']);
  });

  it('watches the configured media roots instead of the defaults', () => {
    const ctx = testContext({ config: defaultConfig({ devices: { autoDetect: true, mediaRoots: ['~/mnt/watch', '/srv/100%'], pollIntervalS: 30 } }) });
    const path = renderUnits(ctx).find((u) => u.name === 'mmt-sync-media.path')!.content;
    expect(path).toContain('PathChanged=/home/runner/mnt/watch\nPathChanged=/srv/100%%\n');
    const defaults = renderUnits(testContext()).find((u) => u.name === 'mmt-sync-media.path')!.content;
    expect(defaults).toContain('PathChanged=/run/media/%u\nPathChanged=/media/%u\nPathChanged=/media\nPathChanged=/mnt\n');
  });

  it('pins the environment the service needs and points the sandbox at the state directory', () => {
    const ctx = testContext({ environment: [['XDG_STATE_HOME', '/home/runner/state'], ['MMT_SYNC_CONFIG', '/home/runner/my config.yaml']], stateDir: '/home/runner/state/mmt-sync' });
    const daemon = renderUnits(ctx).find((u) => u.name === 'mmt-sync.service')!.content;
    expect(daemon).toContain('Environment="XDG_STATE_HOME=/home/runner/state"\nEnvironment="MMT_SYNC_CONFIG=/home/runner/my config.yaml"\nEnvironmentFile=-/home/runner/.config/mmt-sync/service.env\n');
    expect(daemon).toContain('ReadWritePaths=/home/runner/state/mmt-sync\n');
    expect(daemon).toContain(`ExecStart=${process.execPath} /usr/lib/node_modules/mmt-sync/dist/src/cli/main.js watch\n`);
  });

  it.skipIf(!hasSystemdAnalyze)('pass `systemd-analyze verify --user` without a warning, in both modes and with awkward paths', () => {
    for (const mode of ['daemon', 'once'] as const) {
      const plain = verify(renderUnits(testContext({ mode })));
      expect(plain.output).toBe('');
      expect(plain.code).toBe(0);
    }
    const awkward = testContext({
      cli: '/opt/my "apps"/100%/$HOME/main.js',
      stateDir: '/home/runner/my state/100%',
      configDir: '/home/runner/.config/my mmt',
      environment: [['XDG_STATE_HOME', '/home/runner/my state'], ['MMT_SYNC_CONFIG', '/home/runner/a "b"\\c.yaml']],
      config: defaultConfig({ devices: { autoDetect: true, mediaRoots: ['/srv/media root/%u'], pollIntervalS: 30 } }),
    });
    const result = verify(renderUnits(awkward));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it.skipIf(!hasSystemdAnalyze)('are really checked: a unit whose program does not exist fails verification', () => {
    const broken = renderUnits(testContext({ node: '/nonexistent/node' })).filter((u) => u.name === 'mmt-sync.service');
    expect(verify(broken).code).not.toBe(0);
  });
});

describe('the udev rule', () => {
  const rule = readFileSync(join(packageRoot(), 'systemd', UDEV_RULE), 'utf8');

  it('is made of well-formed KEY=="value" lines whose GOTOs all have a LABEL', () => {
    const item = /^\s*(?:[A-Z_]+(?:\{[A-Za-z0-9_.]+\})?)\s*(?:==|!=|\+=|-=|:=|=)\s*"[^"]*"\s*$/;
    const labels = new Set<string>();
    const gotos = new Set<string>();
    for (const line of rule.split('\n')) {
      if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
      for (const part of line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
        expect(part, line).toMatch(item);
        const label = /LABEL="([^"]+)"/.exec(part);
        if (label) labels.add(label[1]!);
        const target = /GOTO="([^"]+)"/.exec(part);
        if (target) gotos.add(target[1]!);
      }
    }
    for (const target of gotos) expect(labels.has(target), target).toBe(true);
  });

  it('wants the per-device user unit for Garmin (091e), never for mass storage, never on removal', () => {
    expect(rule).toMatch(/^ATTR\{idVendor\}=="091e", GOTO="mmt_sync_device"$/m);
    expect(rule).toMatch(/^ENV\{ID_USB_INTERFACES\}=="\*:08\?\?\?\?:\*", GOTO="mmt_sync_end"$/m);
    expect(rule).toMatch(/^ACTION=="remove", GOTO="mmt_sync_end"$/m);
    expect(rule).toMatch(/^TAG\+="systemd", ENV\{SYSTEMD_USER_WANTS\}\+="mmt-sync-device@%k\.service"$/m);
  });

  it('passes `udevadm verify` where udevadm has it (systemd 254 and later)', () => {
    if (!commandWorks('udevadm', ['verify', '--help'])) {
      // Older udevadm has no rule verifier: then it must really be older (the structural checks above stand in).
      const version = Number(execFileSync('udevadm', ['--version']).toString().trim().split(/\s/)[0]);
      expect(version).toBeLessThan(254);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'mmt-sync-udev-'));
    try {
      writeFileSync(join(dir, UDEV_RULE), rule);
      execFileSync('udevadm', ['verify', '--no-style', join(dir, UDEV_RULE)], { stdio: ['ignore', 'pipe', 'pipe'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
