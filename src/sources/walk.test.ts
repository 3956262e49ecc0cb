import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, rmSync, symlinkSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeFile } from './test-fixtures.js';
import { formatBytes, walkSource, type WalkEntry, type WalkOptions, type WalkProblem, type WalkSummary } from './walk.js';

const MB = 1024 * 1024;
let dir = '';
let root = '';
let cleanup = () => {};
beforeEach(() => {
  const t = tempDir();
  dir = realpathSync(t.dir);
  root = join(dir, 'root');
  mkdirSync(root);
  cleanup = t.cleanup;
});
afterEach(() => cleanup());

async function walk(
  source: { root: string; include?: string[]; exclude?: string[]; poll?: boolean },
  options: Partial<WalkOptions> = {},
): Promise<{ entries: WalkEntry[]; summary: WalkSummary; problems: WalkProblem[] }> {
  const problems: WalkProblem[] = [];
  const generator = walkSource(source, { maxFileBytes: 64 * MB, onProblem: (p) => problems.push(p), ...options });
  const entries: WalkEntry[] = [];
  for (;;) {
    const step = await generator.next();
    if (step.done) return { entries, summary: step.value, problems };
    entries.push(step.value);
  }
}

const files = (entries: WalkEntry[]) => entries.filter((e) => e.kind === 'file').map((e) => e.relPath);
const refused = (entries: WalkEntry[]) => entries.flatMap((e) => (e.kind === 'refused' ? [[e.relPath, e.reason]] : []));

describe('walkSource: what is listed', () => {
  it('lists activity files depth first in name order, with size, mtime and identity', async () => {
    writeFile(join(root, 'b.fit'), 'fit!');
    writeFile(join(root, 'A.FIT'));
    writeFile(join(root, 'c.Gpx'));
    writeFile(join(root, '2024', 'd.tcx'));
    writeFile(join(root, '2024', 'notes.txt'));
    writeFile(join(root, '._b.fit'), 'AppleDouble');
    writeFile(join(root, '.Trashes', 'e.fit'));
    const { entries, summary, problems } = await walk({ root });
    expect(files(entries)).toEqual(['A.FIT', 'b.fit', 'c.Gpx', '2024/d.tcx']);
    expect(entries[1]).toMatchObject({ kind: 'file', path: join(root, 'b.fit'), relPath: 'b.fit', size: 4 });
    const b = entries[1] as Extract<WalkEntry, { kind: 'file' }>;
    expect(b.mtimeMs).toBeGreaterThan(0);
    expect(b.ino).toBeGreaterThan(0);
    expect(summary).toEqual({ files: 4, refused: 0, unreadable: 0, loops: 0, held: 0, complete: true });
    expect(problems).toEqual([]);
  });

  it('lists the same with asynchronous stats, as for a polled (MTP, network) source', async () => {
    for (let i = 0; i < 40; i++) writeFile(join(root, `${String(i).padStart(2, '0')}.fit`), 'x'.repeat(i));
    writeFile(join(root, 'sub', 'z.gpx'));
    truncateSync(writeFile(join(root, 'big.fit'), ''), MB + 1);
    execFileSync('mkfifo', [join(root, 'pipe.fit')]);
    const local = await walk({ root }, { maxFileBytes: MB });
    const polled = await walk({ root, poll: true }, { maxFileBytes: MB, concurrency: 3 });
    expect(polled.entries).toEqual(local.entries);
    expect(polled.summary).toEqual({ files: 41, refused: 2, unreadable: 0, loops: 0, held: 0, complete: true });
  });

  it('takes other extensions when asked', async () => {
    writeFile(join(root, 'a.fit'));
    writeFile(join(root, 'b.nmea'));
    expect(files((await walk({ root }, { extensions: ['nmea'] })).entries)).toEqual(['b.nmea']);
  });

  it('applies include and exclude globs: bare names match at any depth, paths from the root', async () => {
    for (const rel of ['2024/a.fit', '2024/a.tmp.fit', '2024/archive/b.fit', '2023/c.fit', 'archive/d.fit', 'e.gpx']) {
      writeFile(join(root, rel));
    }
    const { entries } = await walk({ root, include: ['2024/**', '*.gpx'], exclude: ['*.tmp.fit', 'archive'] });
    expect(files(entries)).toEqual(['e.gpx', '2024/a.fit']);
    expect(files((await walk({ root, exclude: ['2024/**'] })).entries)).toEqual(['e.gpx', '2023/c.fit', 'archive/d.fit']);
  });

  it('refuses a file above the cap, naming the cap, and takes one exactly at it', async () => {
    const big = writeFile(join(root, 'big.fit'), '');
    truncateSync(big, 64 * MB + 1);
    truncateSync(writeFile(join(root, 'edge.fit'), ''), 64 * MB);
    const { entries, summary } = await walk({ root });
    expect(refused(entries)).toEqual([['big.fit', 'file is larger than the 64 MB cap']]);
    expect(files(entries)).toEqual(['edge.fit']);
    expect(summary).toMatchObject({ files: 1, refused: 1, complete: true });
    expect(refused((await walk({ root }, { maxFileBytes: 1.5 * MB })).entries)[0]?.[1]).toBe('file is larger than the 1.5 MB cap');
  });

  it('refuses a FIFO named x.fit without opening it', async () => {
    execFileSync('mkfifo', [join(root, 'x.fit')]);
    symlinkSync('x.fit', join(root, 'y.fit'));
    const { entries } = await walk({ root });
    expect(refused(entries)).toEqual([
      ['x.fit', 'not a regular file'],
      ['y.fit', 'not a regular file'],
    ]);
  });

  it('validates its options', async () => {
    await expect(walkSource({ root }, { maxFileBytes: 0 }).next()).rejects.toThrow('Expected maxFileBytes to be a positive number, got 0');
    await expect(walkSource({ root }, { maxFileBytes: 1, extensions: [''] }).next()).rejects.toThrow('Expected extensions[0]');
    await expect(walkSource({ root }, { maxFileBytes: 1, concurrency: 0 }).next()).rejects.toThrow('Expected concurrency to be a positive integer, got 0');
  });
});

describe('walkSource: symlinks', () => {
  it('follows symlinks that stay inside the root, listing nothing twice', async () => {
    writeFile(join(root, 'real', 'a.fit'));
    writeFile(join(root, '.stash', 'b.fit'));
    writeFile(join(root, '.archive', 'c.fit'));
    symlinkSync('real/a.fit', join(root, 'alias.fit')); // a.fit is listed under its own name
    symlinkSync('.stash/b.fit', join(root, 'linked.fit')); // only reachable through the link
    symlinkSync('real', join(root, 'again')); // the walk gets to real/ anyway
    symlinkSync(join(root, '.archive'), join(root, 'more'));
    const { entries, summary } = await walk({ root });
    expect(files(entries)).toEqual(['linked.fit', 'more/c.fit', 'real/a.fit']);
    expect(entries.find((e) => e.relPath === 'linked.fit')).toMatchObject({ path: join(root, 'linked.fit') });
    expect(summary).toMatchObject({ complete: true, loops: 0 });
  });

  it('refuses symlinks that lead outside the source', async () => {
    writeFile(join(dir, 'outside', 'x.fit'));
    writeFile(join(dir, 'outside', 'notes.txt'));
    symlinkSync(join(dir, 'outside', 'x.fit'), join(root, 'out.fit'));
    symlinkSync('../outside', join(root, 'outdir'));
    symlinkSync(join(dir, 'outside', 'notes.txt'), join(root, 'notes.txt'));
    symlinkSync(join(dir, 'nowhere.fit'), join(root, 'dangling.fit'));
    const { entries } = await walk({ root });
    expect(refused(entries)).toEqual([
      ['dangling.fit', 'symlink target is missing'],
      ['out.fit', 'symlink leads outside the source'],
      ['outdir', 'symlink leads outside the source'],
    ]);
    expect(files(entries)).toEqual([]);
  });

  it('does not let a symlinked root widen what counts as inside', async () => {
    writeFile(join(dir, 'data', 'rides', 'a.fit'));
    writeFile(join(dir, 'data', 'other', 'b.fit'));
    symlinkSync(join(dir, 'data', 'rides'), join(dir, 'rides-link'));
    symlinkSync('../other/b.fit', join(dir, 'data', 'rides', 'b.fit'));
    const { entries } = await walk({ root: join(dir, 'rides-link') });
    expect(files(entries)).toEqual(['a.fit']);
    expect(entries[0]?.path).toBe(join(dir, 'rides-link', 'a.fit'));
    expect(refused(entries)).toEqual([['b.fit', 'symlink leads outside the source']]);
  });

  it('detects symlink loops and terminates', async () => {
    writeFile(join(root, 'sub', 'a.fit'));
    symlinkSync('..', join(root, 'sub', 'up'));
    mkdirSync(join(root, 'sub', 'deeper'));
    symlinkSync('../../sub', join(root, 'sub', 'deeper', 'back'));
    symlinkSync('self.fit', join(root, 'self.fit'));
    mkdirSync(join(root, '.hidden'));
    symlinkSync('..', join(root, '.hidden', 'up'));
    symlinkSync('.hidden', join(root, 'h'));
    const { entries, summary, problems } = await walk({ root });
    expect(files(entries)).toEqual(['sub/a.fit']);
    expect(problems.map((p) => [p.kind, p.relPath])).toEqual([
      ['loop', 'self.fit'],
      ['loop', 'h/up'],
      ['loop', 'sub/up'],
      ['loop', 'sub/deeper/back'],
    ]);
    expect(summary).toMatchObject({ loops: 4, complete: true });
  });
});

describe('walkSource: when the device goes away', () => {
  it('stops quietly for a directory removed during the walk and says the listing is incomplete', async () => {
    writeFile(join(root, 'a', '1.fit'));
    writeFile(join(root, 'b', '2.fit'));
    writeFile(join(root, 'b', 'c', '3.fit'));
    const problems: WalkProblem[] = [];
    const generator = walkSource({ root }, { maxFileBytes: MB, onProblem: (p) => problems.push(p) });
    const first = await generator.next();
    expect(first.value).toMatchObject({ relPath: 'a/1.fit' });
    rmSync(join(root, 'b'), { recursive: true });
    const last = await generator.next();
    expect(last).toEqual({ done: true, value: { files: 1, refused: 0, unreadable: 1, loops: 0, held: 0, complete: false } });
    expect(problems).toEqual([expect.objectContaining({ kind: 'unreadable', relPath: 'b', code: 'ENOENT' })]);
  });

  it('returns an incomplete, empty listing when the root is gone', async () => {
    rmSync(root, { recursive: true });
    const { entries, summary, problems } = await walk({ root });
    expect(entries).toEqual([]);
    expect(summary).toEqual({ files: 0, refused: 0, unreadable: 1, loops: 0, held: 0, complete: false });
    expect(problems[0]).toMatchObject({ relPath: '', code: 'ENOENT' });
  });

  it('throws the abort reason when aborted', async () => {
    writeFile(join(root, 'a.fit'));
    writeFile(join(root, 'b.fit'));
    const controller = new AbortController();
    const generator = walkSource({ root }, { maxFileBytes: MB, signal: controller.signal });
    await generator.next();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(generator.next()).rejects.toBe(reason);
  });
});

describe('formatBytes', () => {
  it('reads like a person wrote it', () => {
    expect(formatBytes(64 * MB)).toBe('64 MB');
    expect(formatBytes(512 * 1024)).toBe('512 KB');
    expect(formatBytes(100)).toBe('100 bytes');
  });
});
