import { mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../sources/test-fixtures.js';
import { defaultCaps, type ArchiveCaps } from './caps.js';
import { expandArchive, type ArchiveItem, type ExpandSummary } from './expand.js';
import { craftZip, gz, gzipBomb, honest, write, zerosDeflated, zipOf } from './test-fixtures.js';

const MB = 1 << 20;
let dir = '';
let scratch = '';
let cleanup = () => {};
beforeEach(() => {
  const t = tempDir('mmt-archive-');
  dir = realpathSync(t.dir);
  scratch = join(dir, 'scratch');
  mkdirSync(scratch);
  cleanup = t.cleanup;
});
afterEach(() => cleanup());

const CAPS: ArchiveCaps = defaultCaps(64 * MB);

async function expand(path: string, caps: ArchiveCaps = CAPS, wants?: (name: string) => boolean): Promise<{ items: ArchiveItem[]; summary: ExpandSummary }> {
  const generator = expandArchive(path, { caps, tempDir: scratch, ...(wants ? { wants } : {}) });
  const items: ArchiveItem[] = [];
  for (;;) {
    const step = await generator.next();
    if (step.done) return { items, summary: step.value };
    items.push(step.value);
  }
}
const problems = (items: ArchiveItem[]) => items.flatMap((i) => (i.kind === 'problem' ? [[i.memberPath, i.reason]] : []));
const members = (items: ArchiveItem[]) => items.flatMap((i) => (i.kind === 'member' ? [[i.memberPath, i.name, Buffer.from(i.bytes).toString()]] : []));

describe('expandArchive: what honest archives hold', () => {
  it('decompresses the activity members of a zip, gzipped or not, naming each member path and ignoring the rest', async () => {
    const zip = write(join(dir, 'export_1.zip'), await zipOf([
      { name: 'activities/', data: '' },
      { name: 'activities/1.fit.gz', data: gz('FIT one') },
      { name: 'activities/2.gpx', data: '<gpx/> two' },
      { name: 'activities/3.TCX.GZ', data: gz('tcx three'), compress: false },
      { name: 'media/photo.jpg', data: 'jpeg' },
      { name: 'activities.csv', data: 'Activity ID' },
    ]));
    const { items, summary } = await expand(zip);
    expect(members(items)).toEqual([
      [`${zip}!/activities/1.fit.gz`, '1.fit', 'FIT one'],
      [`${zip}!/activities/2.gpx`, '2.gpx', '<gpx/> two'],
      [`${zip}!/activities/3.TCX.GZ`, '3.TCX', 'tcx three'],
    ]);
    expect(summary).toEqual({ members: 3, problems: 0, ignored: 3 });
    expect(items[0]).toMatchObject({ modifiedMs: expect.any(Number) });
  });

  it('decompresses only what the caller asks for', async () => {
    const zip = write(join(dir, 'export.zip'), await zipOf([{ name: 'activities.csv', data: 'a,b' }, { name: 'activities/1.gpx', data: 'x' }]));
    const { items } = await expand(zip, CAPS, (name) => name === 'activities.csv');
    expect(members(items)).toEqual([[`${zip}!/activities.csv`, 'activities.csv', 'a,b']]);
  });

  it('opens a zip inside a zip (Garmin\'s export), through a private temp file that is gone afterwards', async () => {
    const inner = await zipOf([{ name: '123456789.fit', data: 'garmin fit' }, { name: 'nested/987.gpx.gz', data: gz('gpx') }]);
    const part = 'DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip';
    const outer = write(join(dir, 'garmin.zip'), await zipOf([{ name: part, data: inner }, { name: 'DI_CONNECT/DI-Connect-User/user.json', data: '{}' }]));
    const { items, summary } = await expand(outer);
    expect(members(items)).toEqual([
      [`${outer}!/${part}!/123456789.fit`, '123456789.fit', 'garmin fit'],
      [`${outer}!/${part}!/nested/987.gpx.gz`, '987.gpx', 'gpx'],
    ]);
    expect(summary).toEqual({ members: 2, problems: 0, ignored: 1 });
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('gunzips a .fit.gz on disk as its own path', async () => {
    const path = write(join(dir, '4242.fit.gz'), gz('a fit'));
    expect(members((await expand(path)).items)).toEqual([[path, '4242.fit', 'a fit']]);
  });
});

describe('expandArchive: hostile archives, each refused with a reason', () => {
  it('refuses a zip bomb that says what it is, without inflating it', async () => {
    const bomb = write(join(dir, 'bomb.zip'), craftZip([{ name: 'ride.fit', data: zerosDeflated(1024), uncompressedSize: 1024 * MB }]));
    expect(problems((await expand(bomb)).items)).toEqual([[`${bomb}!/ride.fit`, '1 GB decompressed, more than the 64 MB cap']]);
  });

  it('refuses a zip bomb whose directory lies about its size, while inflating', async () => {
    const bomb = write(join(dir, 'liar.zip'), craftZip([{ name: 'ride.fit', data: zerosDeflated(1024), uncompressedSize: 1000 }, honest('ok.gpx', 'fine')]));
    const { items } = await expand(bomb);
    expect(problems(items)).toEqual([[`${bomb}!/ride.fit`, "the archive's directory says 1000 bytes, but the data holds more"]]);
    expect(members(items)).toEqual([[`${bomb}!/ok.gpx`, 'ok.gpx', 'fine']]);
  });

  it('refuses a member whose ratio is a bomb\'s even under the size cap, declared or not', async () => {
    const declared = write(join(dir, 'ratio.zip'), craftZip([{ name: 'a.fit', data: zerosDeflated(32), uncompressedSize: 32 * MB }]));
    expect(problems((await expand(declared)).items)).toEqual([[`${declared}!/a.fit`, 'expands more than 100:1 (a compression bomb\'s ratio)']]);
    const gzipped = write(join(dir, 'ratio.fit.gz'), gzipBomb(32));
    expect(problems((await expand(gzipped)).items)).toEqual([[gzipped, 'expands more than 100:1 (a compression bomb\'s ratio)']]);
  });

  it('refuses a gzip bomb at the member cap', async () => {
    const bomb = write(join(dir, 'bomb.gpx.gz'), gzipBomb(1024));
    const { items } = await expand(bomb, { ...CAPS, maxRatio: 10_000 });
    expect(problems(items)).toEqual([[bomb, 'expands past the 64 MB cap']]);
  });

  it('stops an archive at its total budget', async () => {
    const zip = write(join(dir, 'many.zip'), await zipOf([1, 2, 3].map((n) => ({ name: `${n}.gpx`, data: 'x'.repeat(400 * 1024) }))));
    const { items } = await expand(zip, { ...CAPS, maxTotalBytes: MB });
    expect(members(items).map((m) => m[1])).toEqual(['1.gpx', '2.gpx']);
    expect(problems(items)).toEqual([[`${zip}!/3.gpx`, 'the archive expands past 1 MB in total']]);
  });

  it('refuses 100,000 entries up front, from the directory\'s own count', async () => {
    const empty = Buffer.alloc(0);
    const entries = Array.from({ length: 100_000 }, (_, i) => ({ name: `e/${i}.fit`, data: empty, method: 0 as const }));
    const zip = write(join(dir, 'entries.zip'), craftZip(entries));
    expect(problems((await expand(zip)).items)).toEqual([[zip, 'holds 100000 entries, more than the 50000 cap']]);
  });

  it('opens zips two levels deep and refuses the third of ten', async () => {
    let level = await zipOf([{ name: 'deepest.fit', data: 'never read' }]);
    for (let depth = 9; depth >= 1; depth--) level = await zipOf([{ name: `level${depth}.fit`, data: `fit ${depth}` }, { name: `z${depth + 1}.zip`, data: level }]);
    const zip = write(join(dir, 'z1.zip'), level);
    const { items } = await expand(zip);
    expect(members(items).map((m) => m[0])).toEqual([`${zip}!/level1.fit`, `${zip}!/z2.zip!/level2.fit`]);
    expect(problems(items)).toEqual([[`${zip}!/z2.zip!/z3.zip`, 'a zip nested deeper than 2 levels: not opened']]);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('refuses entry names that climb out, start at the root or use backslashes, and writes nothing anywhere', async () => {
    const zip = write(join(dir, 'slip.zip'), craftZip([
      honest('../../evil.fit', 'a'),
      honest('/etc/evil.gpx', 'b'),
      honest('a/../../evil.tcx', 'c'),
      honest('C:/evil.fit', 'd'),
      honest('..\\..\\evil.fit', 'f'),
      honest('ok/fine.fit', 'e'),
    ]));
    const before = readdirSync(dir).sort();
    const { items } = await expand(zip);
    expect(problems(items).map(([path, reason]) => [path, reason!.replace(/\(.*\)/, '(…)')])).toEqual([
      [`${zip}!/../../evil.fit`, 'refused: unsafe name (…)'],
      [`${zip}!//etc/evil.gpx`, 'refused: unsafe name (…)'],
      [`${zip}!/a/../../evil.tcx`, 'refused: unsafe name (…)'],
      [`${zip}!/C:/evil.fit`, 'refused: unsafe name (…)'],
      [`${zip}!/../../evil.fit`, 'refused: unsafe name (…)'],
    ]);
    expect(members(items)).toEqual([[`${zip}!/ok/fine.fit`, 'fine.fit', 'e']]);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('refuses what a lying central directory says: a wrong CRC, a short member, more entries than there are', async () => {
    const content = Buffer.from('the real content');
    const crcLie = write(join(dir, 'crc.zip'), craftZip([{ name: 'a.fit', data: deflateRawSync(content), uncompressedSize: content.length, crc32: crc32(content) ^ 1 }]));
    expect(problems((await expand(crcLie)).items)[0]![1]).toMatch(/^CRC-32 mismatch: the archive says [0-9a-f]{8}, the content is [0-9a-f]{8} \(damaged or altered\)$/);

    const short = write(join(dir, 'short.zip'), craftZip([{ name: 'a.fit', data: deflateRawSync(content), uncompressedSize: 1000, crc32: crc32(content) }]));
    expect(problems((await expand(short)).items)).toEqual([[`${short}!/a.fit`, `the archive's directory says 1000 bytes, but the data holds only ${content.length}`]]);

    const count = write(join(dir, 'count.zip'), craftZip([honest('a.fit', 'one')], { declaredCount: 3 }));
    const { items } = await expand(count);
    expect(members(items)).toEqual([[`${count}!/a.fit`, 'a.fit', 'one']]);
    expect(problems(items)).toEqual([[count, expect.stringMatching(/^the zip is damaged: /)]]);

    const stored = write(join(dir, 'stored.zip'), craftZip([{ name: 'a.fit', data: content, method: 0, uncompressedSize: content.length + 5 }]));
    expect(problems((await expand(stored)).items)).toEqual([[stored, expect.stringMatching(/^the zip is damaged: compressed\/uncompressed size mismatch/)]]);
  });

  it('refuses a truncated gzip, on disk and inside a zip', async () => {
    const whole = gz('<gpx>'.padEnd(5000, 'x'));
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    const file = write(join(dir, 'cut.gpx.gz'), cut);
    expect(problems((await expand(file)).items)).toEqual([[file, 'truncated: the compressed data ends early']]);
    const zip = write(join(dir, 'cut.zip'), await zipOf([{ name: 'activities/9.gpx.gz', data: cut }]));
    expect(problems((await expand(zip)).items)).toEqual([[`${zip}!/activities/9.gpx.gz`, 'truncated: the compressed data ends early']]);
  });

  it('says so for a file that is neither, or a zip that is not one', async () => {
    const text = write(join(dir, 'notes.fit.gz'), Buffer.from('plain text'));
    expect(problems((await expand(text)).items)).toEqual([[text, 'not gzip data']]);
    const fake = write(join(dir, 'fake.zip'), Buffer.from('PK\u0003\u0004 and nothing else'));
    expect(problems((await expand(fake)).items)).toEqual([[fake, expect.stringMatching(/^not a readable zip: /)]]);
  });

  it('throws the abort reason when aborted', async () => {
    const zip = write(join(dir, 'a.zip'), await zipOf([{ name: 'a.fit', data: 'x' }]));
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(expandArchive(zip, { caps: CAPS, signal: controller.signal }).next()).rejects.toThrow('stop');
  });
});

// Written by hand so the test fixtures themselves are checked: a crafted honest zip reads back.
describe('test fixtures', () => {
  it('craftZip with honest entries is a valid zip', async () => {
    const zip = join(dir, 'crafted.zip');
    writeFileSync(zip, craftZip([honest('a.gpx', 'hello')]));
    expect(members((await expand(zip)).items)).toEqual([[`${zip}!/a.gpx`, 'a.gpx', 'hello']]);
  });
});
