import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, makeHome, runCli } from '../helpers/cli.js';

const API = { baseUrl: 'http://127.0.0.1:9/api3/', clientId: 'c', clientSecret: 'unused-secret' };

describe('starting mmt-sync', () => {
  it('--version and -V print the package version and exit 0 (answered before the argument parser loads)', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const home = makeHome(API);
    for (const args of [['--version'], ['-V']]) {
      const result = await runCli(args, home.env);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });

  it('`status` and `status --json` start without the argument parser and answer exactly as the parser does', async () => {
    const home = makeHome(API);
    // Preloaded into the CLI's process: reports on exit whether commander was ever loaded.
    const probe = join(home.dir, 'commander-probe.mjs');
    writeFileSync(
      probe,
      "import { createRequire } from 'node:module';\n" +
        'const cache = createRequire(import.meta.url).cache;\n' +
        "process.on('exit', () => process.stderr.write(Object.keys(cache).some((f) => f.includes('commander')) ? 'PROBE:commander loaded\\n' : 'PROBE:no commander\\n'));\n",
    );
    const env = { ...home.env, NODE_OPTIONS: `--import ${probe}` };
    for (const [direct, parsed] of [
      [['status'], ['status', '--config', home.configFile]],
      [['status', '--json'], ['status', '--json', '--config', home.configFile]],
    ] as const) {
      const fast = await runCli(direct, env);
      const slow = await runCli(parsed, env);
      expect(fast.stderr, direct.join(' ')).toContain('PROBE:no commander');
      expect(slow.stderr, parsed.join(' ')).toContain('PROBE:commander loaded');
      // Not logged in: exit 3 with the same answer either way.
      expect(fast.code, direct.join(' ')).toBe(3);
      expect(fast.code).toBe(slow.code);
      expect(fast.stdout).toBe(slow.stdout);
      const said = (stderr: string) => stderr.replace(/^PROBE:.*\n/m, '').replace(/^\S+ /gm, '');
      expect(said(fast.stderr)).toBe(said(slow.stderr));
    }
    // Anything else still meets the parser: a typo gets its suggestion and exit 2.
    const typo = await runCli(['status', '--jsn'], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean --json?');
  });
});
