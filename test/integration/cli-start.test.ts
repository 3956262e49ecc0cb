import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
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
});
