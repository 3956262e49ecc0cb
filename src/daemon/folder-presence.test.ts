import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderSourceId, type Source } from '../sources/source.js';
import { FolderPresence } from './folder-presence.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FolderPresence', () => {
  it('says a folder is gone once however long it stays away, notices it back, and a folder replaced in between counts as back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmt-presence-'));
    const card = join(dir, 'CARD');
    const missing = join(dir, 'NOT-YET');
    mkdirSync(card);
    const source = (root: string): Source => ({ id: folderSourceId(root), kind: 'folder', root, label: root, poll: false });
    const said: string[] = [];
    const presence = new FolderPresence(
      {
        onPresent: (s, initial) => said.push(`${initial ? 'there' : 'back'}:${s.root}`),
        onAbsent: (s, initial) => said.push(`${initial ? 'missing' : 'gone'}:${s.root}`),
      },
      20,
    );
    try {
      presence.track([source(card), source(missing)]);
      expect(said).toEqual([`there:${card}`, `missing:${missing}`]);
      renameSync(card, join(dir, 'away'));
      await pause(150);
      expect(said.slice(2)).toEqual([`gone:${card}`]);
      expect(presence.isPresent(source(card).id)).toBe(false);
      renameSync(join(dir, 'away'), card);
      mkdirSync(missing);
      await pause(100);
      expect(said.slice(3).sort()).toEqual([`back:${card}`, `back:${missing}`].sort());
      // Another folder at the same path (a different card): gone and back at once.
      rmSync(card, { recursive: true });
      mkdirSync(card);
      await pause(100);
      expect(said.slice(5)).toEqual([`gone:${card}`, `back:${card}`]);
    } finally {
      presence.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
