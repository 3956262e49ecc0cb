import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigCached } from './cache.js';
import { loadConfig } from './load.js';

function home(configText: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mmt-config-cache-'));
  mkdirSync(join(dir, 'config', 'mmt-sync'), { recursive: true });
  const configFile = join(dir, 'config', 'mmt-sync', 'config.yaml');
  writeFileSync(configFile, configText);
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state') };
  mkdirSync(join(dir, 'state', 'mmt-sync'), { recursive: true });
  writeFileSync(join(dir, 'state', 'mmt-sync', 'journal.sqlite'), '');
  return { configFile, env, cacheFile: join(dir, 'state', 'mmt-sync', 'config-cache.json') };
}

const SECRET = 's3cret-value-9f8e7d';

describe('loadConfigCached', () => {
  it('answers with exactly what loadConfig gives, the second time from the cache, which never holds the client secret', async () => {
    for (const spelling of [SECRET, `"${SECRET}"`, `'${SECRET}'`]) {
      const h = home(`api:\n  clientId: abc\n  clientSecret: ${spelling}  # from the app page\nupload:\n  status: public\n`);
      const fresh = await loadConfigCached({ env: h.env });
      expect(fresh).toEqual(loadConfig({ env: h.env }));
      expect(existsSync(h.cacheFile)).toBe(true);
      expect(readFileSync(h.cacheFile, 'utf8')).not.toContain(SECRET);
      const cached = await loadConfigCached({ env: h.env });
      expect(cached).toEqual(fresh);
      expect(cached.config.api.clientSecret).toBe(SECRET);
    }
    // And a hit really is the kept copy: marked by hand, the mark comes back.
    const h = home('upload:\n  status: public\n');
    await loadConfigCached({ env: h.env });
    writeFileSync(h.cacheFile, readFileSync(h.cacheFile, 'utf8').replace('"nameTemplate":"{sport} {date}"', '"nameTemplate":"from the cache"'));
    expect((await loadConfigCached({ env: h.env })).config.upload.nameTemplate).toBe('from the cache');
  });

  it('validates afresh when the file changes, and never caches a bad configuration', async () => {
    const h = home('upload:\n  status: public\n');
    expect((await loadConfigCached({ env: h.env })).config.upload.status).toBe('public');
    writeFileSync(h.configFile, 'upload:\n  status: pubic\n');
    await expect(loadConfigCached({ env: h.env })).rejects.toThrow(/upload\.status: expected "public" or "private", got "pubic"/);
    await expect(loadConfigCached({ env: h.env })).rejects.toThrow(/pubic/);
    writeFileSync(h.configFile, 'upload:\n  status: private\n');
    expect((await loadConfigCached({ env: h.env })).config.upload.status).toBe('private');
  });

  it('takes a secret from the environment again on every run, and writes it nowhere', async () => {
    const h = home('api:\n  clientId: abc\n');
    const env = { ...h.env, MMT_CLIENT_SECRET: SECRET };
    expect((await loadConfigCached({ env })).config.api.clientSecret).toBe(SECRET);
    expect(readFileSync(h.cacheFile, 'utf8')).not.toContain(SECRET);
    expect((await loadConfigCached({ env: { ...env, MMT_CLIENT_SECRET: 'rotated' } })).config.api.clientSecret).toBe('rotated');
    expect((await loadConfigCached({ env: h.env })).config.api.clientSecret).toBe('');
  });

  it('does not cache a configuration whose secret is spelled with escapes: it cannot be read back without parsing', async () => {
    const h = home(`api:\n  clientSecret: "tab\\there"\n`);
    expect((await loadConfigCached({ env: h.env })).config.api.clientSecret).toBe('tab\there');
    expect(existsSync(h.cacheFile)).toBe(false);
    expect((await loadConfigCached({ env: h.env })).config.api.clientSecret).toBe('tab\there');
  });

  it('keeps nothing before there is a journal (never creating state), nor when told not to (a dry run)', async () => {
    const h = home('upload:\n  status: public\n');
    await loadConfigCached({ env: h.env, keep: false });
    expect(existsSync(h.cacheFile)).toBe(false);
    rmSync(join(h.cacheFile, '..'), { recursive: true });
    await loadConfigCached({ env: h.env });
    expect(existsSync(join(h.cacheFile, '..'))).toBe(false);
  });
});
