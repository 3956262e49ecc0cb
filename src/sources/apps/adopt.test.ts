import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { configuredSources } from '../configured.js';
import { tempDir } from '../test-fixtures.js';
import { adoptAppFolders } from './adopt.js';
import { detectApps } from './detect.js';

let dir = '';
let cleanup = () => {};
beforeEach(() => {
  const t = tempDir('mmt-adopt-');
  dir = realpathSync(t.dir);
  cleanup = t.cleanup;
});
afterEach(() => cleanup());

describe('adoptAppFolders', () => {
  it('gives a hand-configured Zwift folder Zwift\'s quirks, keeping the user\'s id and settings, and drops the duplicate', async () => {
    const home = join(dir, 'home');
    const activities = join(home, 'Documents', 'Zwift', 'Activities');
    mkdirSync(activities, { recursive: true });
    mkdirSync(join(home, 'Dropbox', 'Apps', 'WahooFitness'), { recursive: true });
    symlinkSync(activities, join(dir, 'zwift-link'));
    const { config } = loadConfig({ env: { XDG_CONFIG_HOME: join(dir, 'no-config') } });
    const configured = configuredSources({ sources: [{ path: join(dir, 'zwift-link'), status: 'public' }] }, [], { mounts: [] });
    const apps = await detectApps(config.apps, { home, platform: 'linux', env: {}, mounts: [] });
    expect(apps.map((s) => s.label)).toEqual(['Zwift', 'Wahoo (Dropbox)']);

    const { folders, apps: rest } = adoptAppFolders(configured, apps);
    expect(rest.map((s) => s.label)).toEqual(['Wahoo (Dropbox)']);
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatchObject({
      id: `folder:${join(dir, 'zwift-link')}`,
      kind: 'folder',
      status: 'public',
      app: { id: 'zwift', name: 'Zwift' },
      foundBy: "configured under sources:; also Zwift's folder ~/Documents/Zwift/Activities",
    });
    expect(folders[0]!.quirks?.never).toEqual(['inProgressActivity.fit']);
  });

  it('leaves unrelated folders alone', () => {
    mkdirSync(join(dir, 'rides'));
    const configured = configuredSources({ sources: [{ path: join(dir, 'rides') }] }, [], { mounts: [] });
    const { folders, apps } = adoptAppFolders(configured, []);
    expect(folders).toEqual(configured);
    expect(apps).toEqual([]);
  });

  it("gives a configured folder laid out as an app's folder on another OS that app's quirks (a Mac's MyWhoosh folder seen from Linux)", () => {
    const data = join(dir, 'mac', 'Users', 'ann', 'Library', 'Containers', 'com.whoosh.whooshgame', 'Data', 'Library', 'Application Support', 'Epic', 'MyWhoosh', 'Content', 'Data');
    const plain = join(dir, 'rides');
    mkdirSync(data, { recursive: true });
    mkdirSync(plain);
    const configured = configuredSources({ sources: [] }, [data, plain], { mounts: [] });
    const { folders } = adoptAppFolders(configured, []);
    expect(folders[0]).toMatchObject({ app: { id: 'mywhoosh', name: 'MyWhoosh' }, quirks: { overwritesInPlace: true } });
    expect(folders[0]!.foundBy).toContain("laid out as MyWhoosh's folder");
    expect(folders[1]!.quirks).toBeUndefined();
  });
});
