/**
 * The README's "Try it against the sandbox yourself" lines, run as written by a new user
 * (an empty HOME: no config folder yet), so that they cannot rot. The only change is the
 * port (8780 may be taken on a shared machine). The browser that setup opens is a script
 * that clicks Approve, reached the way a desktop's would be: xdg-open and $BROWSER.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, REPO, startCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

/** The commands of the README's sandbox walk-through: its first sh block, comment lines left out. */
function walkThrough(): { sandbox: string; steps: string[] } {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Try it against the sandbox yourself'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  const lines = block.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  return { sandbox: lines[0]!, steps: lines.slice(1) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function sh(line: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('sh', ['-c', line], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

// The `open` package runs its own copy of xdg-open, which hands the URL to $BROWSER.
describe.runIf(process.platform === 'linux')('README: the sandbox walk-through, as written', () => {
  it('starts the sandbox, sets up against it from an empty HOME (browser approval), then doctor and status pass', async () => {
    const { sandbox, steps } = walkThrough();
    expect(sandbox).toMatch(/^mmt-sync sandbox --port 8780 /);
    expect(steps.some((s) => /mmt-sync setup /.test(s))).toBe(true);
    const port = String(await freePort());
    const home = mkdtempSync(join(tmpdir(), 'mmt-sync-readme-'));
    const bin = join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'mmt-sync'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'mmt-sync'), 0o755);
    const env: NodeJS.ProcessEnv = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: home,
      BROWSER: join(REPO, 'test/fixtures/approving-browser.mjs'),
    }; // no XDG_* variables: the defaults under HOME, as on a fresh account
    const server = startCli(sandbox.replace(/^mmt-sync /, '').replace('8780', port).split(' '), env);
    try {
      await waitFor('the sandbox to listen', () => (/127\.0\.0\.1:\d+/.test(server.output().stdout + server.output().stderr) ? true : undefined));
      expect(existsSync(join(home, '.config', 'mmt-sync'))).toBe(false);
      for (const step of steps) {
        const result = await sh(step.replaceAll('8780', port), env);
        expect(result.code, `${step}\n${result.stdout}${result.stderr}`).toBe(0);
      }
      expect(readFileSync(join(home, '.config', 'mmt-sync', 'config.yaml'), 'utf8')).not.toContain('demo-secret');
      const status = await sh('mmt-sync status', env);
      expect(status.stdout).toMatch(/^login: +logged in$/m);
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
      rmSync(home, { recursive: true, force: true });
    }
  });
});
