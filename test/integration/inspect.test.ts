import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, CORPUS, runCli } from '../helpers/cli.js';
import { expectedRows } from '../helpers/corpus.js';

const env = { PATH: process.env.PATH, HOME: '/nonexistent-home', XDG_CONFIG_HOME: '/nonexistent-config' };

describe('mmt-sync inspect on the shared corpus', () => {
  it('gives every row of EXPECTED.tsv its verdict, with the documented JSON fields', async () => {
    const rows = expectedRows();
    expect(rows.length).toBe(70);
    const result = await runCli(['inspect', '--json', ...rows.map((r) => join(CORPUS, r.file))], env);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(out).toHaveLength(rows.length);
    rows.forEach((row, i) => {
      const item = out[i]!;
      expect(item.verdict, `${row.file}: ${String(item.reason)}`).toBe(row.outcome);
      for (const field of ['file', 'format', 'verdict', 'reason', 'points', 'positions']) expect(item, `${row.file} lacks ${field}`).toHaveProperty(field);
      expect(String(item.reason).length).toBeGreaterThan(5);
      if (row.outcome !== 'skip') {
        expect(item.identity, row.file).toBeTruthy();
      }
    });
  });

  it('prints a readable line per file, exits 0 even for skipped files', async () => {
    const result = await runCli(['inspect', join(CORPUS, 'fit/Settings.fit'), join(CORPUS, 'fit/garmin-fenix-5-run.fit')], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Settings\.fit: SKIP — not an activity \(file type: settings\)/);
    expect(result.stdout).toMatch(/garmin-fenix-5-run\.fit: UPLOAD — complete activity file/);
    expect(result.stdout).toMatch(/running/);
  });

  it('names devices by product from the FIT profile, not by number', async () => {
    const result = await runCli(['inspect', join(CORPUS, 'fit/garmin-fenix-5-run.fit')], env);
    expect(result.code).toBe(0);
    // file_id: manufacturer 1 (garmin), product 2697, serial 3945849289.
    expect(result.stdout).toContain('garmin fenix5 serial 3945849289');
    expect(result.stdout).not.toMatch(/garmin 2697/);
  });

  it('takes folders, recursively: the same verdicts as file by file', async () => {
    const result = await runCli(['inspect', '--json', CORPUS], env);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as Array<{ file: string; verdict: string }>;
    const verdicts = new Map(out.map((item) => [item.file, item.verdict]));
    const rows = expectedRows();
    expect(out).toHaveLength(rows.length);
    for (const row of rows) expect(verdicts.get(join(CORPUS, row.file)), row.file).toBe(row.outcome);
  });

  it('goes on past a missing file: each reported, the rest inspected, exit 1', async () => {
    const good = join(CORPUS, 'fit/garmin-fenix-5-run.fit');
    const result = await runCli(['inspect', '/nonexistent/first.fit', good, '/nonexistent/folder', join(CORPUS, 'gpx')], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/garmin-fenix-5-run\.fit: UPLOAD/);
    expect(result.stdout).toMatch(/gpx\/Mojstrovka\.gpx: UPLOAD/);
    expect(result.stderr).toContain('/nonexistent/first.fit: no such file or folder');
    expect(result.stderr).toContain('/nonexistent/folder: no such file or folder');
    expect(result.stderr).toMatch(/2 of \d+ paths could not be inspected/);

    const json = await runCli(['inspect', '--json', good, '/nonexistent/first.fit'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ file: good, verdict: 'upload' }), { file: '/nonexistent/first.fit', error: 'no such file or folder' }]);
  });

  it('stops quietly when its reader goes away (`inspect DIR | head`)', async () => {
    const child = spawn(process.execPath, [CLI, 'inspect', CORPUS], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Like head: read the first chunk, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|internal error/);
    expect(code).toBe(0);
  });
});
