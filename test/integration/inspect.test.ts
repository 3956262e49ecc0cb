import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, runCli } from '../helpers/cli.js';
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

  it('exits 2 for an unreadable path', async () => {
    const result = await runCli(['inspect', '/nonexistent/file.fit'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no such file/);
  });
});
