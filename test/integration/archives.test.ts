import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { craftZip, gz, gzipBomb, honest, zerosDeflated, zipOf } from '../../src/archive/test-fixtures.js';
import { CORPUS, runCli } from '../helpers/cli.js';
import { expectedRows } from '../helpers/corpus.js';
import { runCliMeasured } from '../helpers/rss.js';

const env = { PATH: process.env.PATH, HOME: '/nonexistent-home', XDG_CONFIG_HOME: '/nonexistent-config' };
const MB = 1 << 20;

interface Inspected {
  readonly file: string;
  readonly verdict: string;
  readonly reason: string;
  readonly identity?: string;
  readonly kind: string;
}

describe('mmt-sync inspect on archives', () => {
  it('gives the whole corpus, zipped (some members gzipped, some in a zip inside the zip), the verdicts it gets unzipped', async () => {
    const rows = expectedRows();
    const plain = await runCli(['inspect', '--json', ...rows.map((r) => join(CORPUS, r.file))], env);
    expect(plain.code, plain.stderr).toBe(0);
    const unzipped = new Map((JSON.parse(plain.stdout) as Inspected[]).map((r, i) => [rows[i]!.file, r]));

    const inner = rows.filter((_, i) => i % 5 === 4);
    const outer = rows.filter((_, i) => i % 5 !== 4);
    const innerZip = await zipOf(inner.map((r) => ({ name: r.file, data: readFileSync(join(CORPUS, r.file)) })));
    const entries = outer.map((r, i) =>
      i % 2 === 0 ? { name: r.file, data: readFileSync(join(CORPUS, r.file)) } : { name: `${r.file}.gz`, data: gz(readFileSync(join(CORPUS, r.file))) },
    );
    const dir = mkdtempSync(join(tmpdir(), 'mmt-corpus-zip-'));
    const zip = join(dir, 'corpus.zip');
    writeFileSync(zip, await zipOf([...entries, { name: 'more/inner.zip', data: innerZip }, { name: 'README.txt', data: 'not an activity' }]));

    const result = await runCli(['inspect', '--json', zip], env);
    expect(result.code, result.stderr).toBe(0);
    const zipped = JSON.parse(result.stdout) as Inspected[];
    expect(zipped).toHaveLength(rows.length);
    const memberOf = (file: string) =>
      inner.some((r) => r.file === file) ? `${zip}!/more/inner.zip!/${file}` : entries.some((e) => e.name === file) ? `${zip}!/${file}` : `${zip}!/${file}.gz`;
    for (const row of rows) {
      const member = zipped.find((z) => z.file === memberOf(row.file));
      expect(member, row.file).toBeDefined();
      const alone = unzipped.get(row.file)!;
      expect(member!.verdict, `${row.file}: ${member!.reason}`).toBe(row.outcome);
      expect([member!.verdict, member!.reason, member!.identity], row.file).toEqual([alone.verdict, alone.reason, alone.identity]);
    }
  });

  it('knows a zip by its content under another name, and says when an archive holds no activity', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmt-renamed-'));
    writeFileSync(join(dir, 'ride.fit'), await zipOf([{ name: 'inner.fit', data: readFileSync(join(CORPUS, 'fit', 'garmin-fenix-5-run.fit')) }]));
    writeFileSync(join(dir, 'photos.zip'), await zipOf([{ name: 'a.jpg', data: 'jpeg' }, { name: 'b.jpg', data: 'jpeg' }]));
    const result = await runCli(['inspect', join(dir, 'ride.fit'), join(dir, 'photos.zip')], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${join(dir, 'ride.fit')}!/inner.fit: UPLOAD — complete activity file`);
    expect(result.stdout).toContain(`${join(dir, 'photos.zip')}: SKIP — no activity files inside (2 other entries)`);
  });

  it('refuses every hostile archive with a reason, in bounded memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmt-hostile-'));
    const put = (name: string, bytes: Uint8Array) => {
      writeFileSync(join(dir, name), bytes);
      return join(dir, name);
    };
    const content = Buffer.from('<gpx>'.padEnd(4000, 'x')); // gzips to 45 bytes
    let nested = await zipOf([{ name: 'deepest.gpx', data: 'x' }]);
    for (let depth = 9; depth >= 1; depth--) nested = await zipOf([{ name: `z${depth + 1}.zip`, data: nested }]);
    const empty = Buffer.alloc(0);
    const files = {
      zipBomb: put('zip-bomb.zip', craftZip([{ name: 'ride.fit', data: zerosDeflated(1024), uncompressedSize: 1000 }])),
      gzipBomb: put('gzip-bomb.fit.gz', gzipBomb(1024)),
      entries: put('entries.zip', craftZip(Array.from({ length: 100_000 }, (_, i) => ({ name: `${i}.fit`, data: empty, method: 0 as const })))),
      nested: put('nested.zip', nested),
      slip: put('slip.zip', craftZip([honest('../../../tmp/evil.fit', 'x')])),
      liar: put('liar.zip', craftZip([{ name: 'a.gpx', data: deflateRawSync(content), uncompressedSize: content.length, crc32: crc32(content) ^ 0xff }])),
      truncated: put('cut.gpx.gz', gz(content).subarray(0, 30)),
    };
    const { result, maxRssMB } = await runCliMeasured(['inspect', '--json', ...Object.values(files)], env);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as Inspected[];
    const reasonOf = (prefix: string) => out.find((r) => r.file.startsWith(prefix))!;
    expect(out.every((r) => r.verdict === 'skip')).toBe(true);
    expect(reasonOf(`${files.zipBomb}!/ride.fit`).reason).toBe("the archive's directory says 1000 bytes, but the data holds more");
    expect(reasonOf(files.gzipBomb).reason).toBe('expands past the 64 MB cap');
    expect(reasonOf(files.entries).reason).toBe('holds 100000 entries, more than the 50000 cap');
    expect(reasonOf(`${files.nested}!/z2.zip!/z3.zip`).reason).toBe('a zip nested deeper than 2 levels: not opened');
    expect(reasonOf(`${files.slip}!/`).reason).toMatch(/^refused: unsafe name/);
    expect(reasonOf(`${files.liar}!/a.gpx`).reason).toMatch(/^CRC-32 mismatch/);
    expect(reasonOf(files.truncated).reason).toBe('truncated: the compressed data ends early');
    // Two bombs of 1 GB each: inflated, either alone would need more than 1 GB.
    expect(maxRssMB, `peak RSS ${maxRssMB.toFixed(0)} MB`).toBeLessThan(300);
  });
});
