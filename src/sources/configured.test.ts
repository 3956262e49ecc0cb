import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MmtError } from '../errors.js';
import { configuredSources } from './configured.js';
import { tempDir } from './test-fixtures.js';

let dir = '';
let cleanup = () => {};
beforeEach(() => {
  const t = tempDir();
  dir = realpathSync(t.dir);
  cleanup = t.cleanup;
});
afterEach(() => cleanup());

const local = { mounts: [{ mountPoint: '/', fsType: 'ext4', source: '/dev/vda' }] };

describe('configuredSources', () => {
  it('takes config sources with their settings, then --folder dirs, all absolute', () => {
    mkdirSync(join(dir, 'home', 'Sync', 'rides'), { recursive: true });
    mkdirSync(join(dir, 'work', 'exports'), { recursive: true });
    const sources = configuredSources(
      {
        sources: [
          {
            path: '~/Sync/rides',
            activityType: 'cycling',
            status: 'private',
            include: ['**/*.fit'],
            exclude: ['archive/**'],
          },
        ],
      },
      ['exports'],
      { ...local, env: { HOME: join(dir, 'home') }, cwd: join(dir, 'work') },
    );
    expect(sources).toEqual([
      {
        id: `folder:${join(dir, 'home', 'Sync', 'rides')}`,
        kind: 'folder',
        root: join(dir, 'home', 'Sync', 'rides'),
        label: join(dir, 'home', 'Sync', 'rides'),
        foundBy: 'configured under sources:',
        poll: false,
        activityType: 'cycling',
        status: 'private',
        include: ['**/*.fit'],
        exclude: ['archive/**'],
      },
      {
        id: `folder:${join(dir, 'work', 'exports')}`,
        kind: 'folder',
        root: join(dir, 'work', 'exports'),
        label: join(dir, 'work', 'exports'),
        foundBy: 'named with --folder',
        poll: false,
      },
    ]);
  });

  it('counts two paths to the same directory once, keeping the first one\'s settings', () => {
    const real = join(dir, 'rides');
    mkdirSync(real);
    symlinkSync(real, join(dir, 'alias'));
    const sources = configuredSources(
      { sources: [{ path: join(dir, 'alias'), activityType: 'running' }] },
      [real, `${real}/`, join(dir, 'alias')],
      local,
    );
    expect(sources).toHaveLength(1);
    expect(sources[0]).toMatchObject({ root: join(dir, 'alias'), activityType: 'running' });
  });

  it('keeps a folder that does not exist yet, with an id that will not change once it does', () => {
    const sources = configuredSources({ sources: [] }, [join(dir, 'later')], local);
    expect(sources.map((s) => s.id)).toEqual([`folder:${join(dir, 'later')}`]);
  });

  it('polls a folder on a network or FUSE filesystem', () => {
    mkdirSync(join(dir, 'remote'));
    const mounts = [...local.mounts, { mountPoint: join(dir, 'remote'), fsType: 'fuse.sshfs', source: 'me@nas:/rides' }];
    const sources = configuredSources({ sources: [{ path: join(dir, 'remote') }] }, [dir], { mounts });
    expect(sources.map((s) => [s.root, s.poll])).toEqual([
      [join(dir, 'remote'), true],
      [dir, false],
    ]);
  });

  it('refuses an empty --folder with a usage error', () => {
    expect(() => configuredSources({ sources: [] }, [' '], local)).toThrow(MmtError);
    expect(() => configuredSources({ sources: [] }, [''], local)).toThrow('Expected --folder to name a directory, got ""');
  });
});
