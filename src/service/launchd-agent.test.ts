import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandWorks, defaultConfig, testContext } from './test-fixtures.js';
import { AGENT_LABEL, renderAgent } from './launchd-agent.js';
import { parseLaunchctlPrint } from './launchctl.js';
import { GENERATED_MARKER } from './templates.js';

const hasPython = commandWorks('python3', ['-c', 'import plistlib']);

/** What macOS would read: Python's plistlib is a strict reader of Apple's XML format. */
function parsePlist(xml: string): Record<string, unknown> {
  const json = execFileSync('python3', ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'], { input: xml });
  return JSON.parse(json.toString()) as Record<string, unknown>;
}

const macContext = (mode: 'daemon' | 'once') =>
  testContext({
    platform: 'darwin',
    mode,
    home: '/Users/runner',
    node: '/opt/homebrew/bin/node',
    cli: '/opt/homebrew/lib/node_modules/mmt-sync/dist/src/cli/main.js',
    stateDir: '/Users/runner/Library/Application Support/mmt-sync/state',
    environment: [['MMT_SYNC_CONFIG', '/Users/runner/mmt & <co>.yaml']],
    config: defaultConfig({ sources: [{ path: '~/Garmin/Activity' }, { path: '/Volumes/WAHOO/exports' }] }),
  });

describe('the LaunchAgent', () => {
  it('is marked as generated and fully filled', () => {
    const xml = renderAgent(macContext('daemon'));
    expect(xml).toContain(GENERATED_MARKER);
    expect(xml).not.toMatch(/@[A-Z_]+@/);
  });

  it.skipIf(!hasPython)('parses as a property list with the expected keys, in daemon mode', () => {
    const plist = parsePlist(renderAgent(macContext('daemon')));
    expect(plist).toMatchObject({
      Label: AGENT_LABEL,
      ProgramArguments: ['/opt/homebrew/bin/node', '/opt/homebrew/lib/node_modules/mmt-sync/dist/src/cli/main.js', 'watch'],
      EnvironmentVariables: { MMT_SYNC_CONFIG: '/Users/runner/mmt & <co>.yaml' },
      RunAtLoad: true,
      StartOnMount: true,
      WatchPaths: ['/Users/runner/Garmin/Activity', '/Volumes/WAHOO/exports'],
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 30,
      ProcessType: 'Background',
      Umask: 0o077,
      StandardErrorPath: '/Users/runner/Library/Logs/mmt-sync.log',
    });
    expect(plist).not.toHaveProperty('StartInterval');
  });

  it.skipIf(!hasPython)('runs `sync` every 15 minutes and on mount in --once-timer mode, without KeepAlive', () => {
    const plist = parsePlist(renderAgent(macContext('once')));
    expect(plist.ProgramArguments).toEqual(['/opt/homebrew/bin/node', '/opt/homebrew/lib/node_modules/mmt-sync/dist/src/cli/main.js', 'sync']);
    expect(plist.StartInterval).toBe(900);
    expect(plist.StartOnMount).toBe(true);
    expect(plist).not.toHaveProperty('KeepAlive');
  });

  it('reads state, pid and last exit code from `launchctl print`', () => {
    const text = `gui/501/com.mmt-sync.agent = {\n\tactive count = 1\n\tpath = /Users/runner/Library/LaunchAgents/com.mmt-sync.agent.plist\n\ttype = LaunchAgent\n\tstate = running\n\n\tprogram = /opt/homebrew/bin/node\n\tpid = 4242\n\tlast exit code = (never exited)\n}`;
    expect(parseLaunchctlPrint(text)).toEqual({ state: 'running', pid: 4242, lastExitCode: '(never exited)' });
  });
});
