/**
 * The package as a user installs it: what the tarball holds, that it installs into a
 * prefix and runs a sync from there; and the metadata around it (one project address
 * everywhere, links that resolve inside the repository, the Node lines CI tests).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { USER_AGENT } from '../../src/package-root.js';
import { approveAuthorization } from '../../src/sandbox/headless.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { listActivities } from '../../src/sandbox/testkit.js';
import { generateFitActivity } from '../../src/testing/fit-generator.js';
import { installGlobally, pack, type Installed } from '../../src/testing/package-install.js';
import { makeHome, REPO, type CliResult } from '../helpers/cli.js';

const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  homepage: string;
  repository: { url: string };
  bugs: { url: string };
  engines: { node: string };
};

/** The installed `mmt-sync` (npm's link in PREFIX/bin), run as a user's shell would. */
function runInstalled(installed: Installed, args: readonly string[], env: NodeJS.ProcessEnv, onFirstLine?: (line: string) => void): Promise<CliResult> {
  const child = spawn(installed.bin, [...args], { env: { ...env, PATH: installed.path }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const first = !stdout.includes('\n');
    stdout += chunk.toString();
    if (first && stdout.includes('\n')) onFirstLine?.(stdout.slice(0, stdout.indexOf('\n')));
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('the npm package', () => {
  it('packs what a user runs, installs into a prefix, and syncs against the sandbox from there', async () => {
    const packed = pack(REPO);
    const files = packed.files.map((f) => f.path);
    for (const needed of ['LICENSE', 'README.md', 'package.json', 'config/default.yaml', 'dist/src/cli/main.js', 'systemd/mmt-sync.service', 'systemd/71-mmt-sync.rules', 'launchd/com.mmt-sync.agent.plist', 'assets/ui/app.js', 'assets/ui/app.css']) {
      expect(files, needed).toContain(needed);
    }
    const unwanted = files.filter((f) => /\.map$|\.test\.|\.ts$|^dist\/bench\/|^dist\/src\/(testing|demo)\/|test-fixtures|testkit|^test\/|^src\//.test(f));
    expect(unwanted).toEqual([]);

    const installed = installGlobally(REPO, packed.tarball);
    const sqliteVersion = (dir: string) => (JSON.parse(readFileSync(join(dir, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string }).version;
    // The reused native binding must match the installed better-sqlite3.
    expect(sqliteVersion(installed.packageDir)).toBe(sqliteVersion(REPO));

    const version = await runInstalled(installed, ['--version'], { HOME: installed.prefix });
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(manifest.version);

    const sandbox = await startSandbox({});
    try {
      const home = makeHome(sandbox, 'intake:\n  settleS: 0\n  backfill: all\n');
      let approval: Promise<unknown> = Promise.resolve();
      const login = await runInstalled(installed, ['login', '--no-browser'], home.env, (url) => {
        approval = approveAuthorization(url).then(async (callback) => (await fetch(callback)).text());
      });
      await approval;
      expect(login.code, login.stderr).toBe(0);

      const folder = mkdtempSync(join(tmpdir(), 'mmt-sync-installed-'));
      for (let i = 0; i < 2; i++) writeFileSync(join(folder, `ride-${i}.fit`), generateFitActivity({ start: new Date(Date.UTC(2026, 4, 1, 8 + i)), durationS: 900, sport: 'cycling', seed: i }));
      const sync = await runInstalled(installed, ['--once', '--folder', folder, '--json'], home.env);
      expect(sync.code, sync.stderr).toBe(0);
      expect(JSON.parse(sync.stdout)).toMatchObject({ uploaded: 2, failed: [], pending: 0 });
      expect(await listActivities(sandbox)).toHaveLength(2);
    } finally {
      await sandbox.close();
    }
  });
});

describe('project metadata', () => {
  const project = 'https://github.com/mmt-sync/mmt-sync';

  it('one project address: package.json, the units, the user agent', () => {
    expect(manifest.homepage).toBe(`${project}#readme`);
    expect(manifest.repository.url).toBe(`git+${project}.git`);
    expect(manifest.bugs.url).toBe(`${project}/issues`);
    const units = readdirSync(join(REPO, 'systemd')).filter((f) => /\.(service|timer|path)$/.test(f));
    expect(units.length).toBeGreaterThan(3);
    for (const unit of units) {
      const text = readFileSync(join(REPO, 'systemd', unit), 'utf8');
      expect(text.match(/^Documentation=(.*)$/m)?.[1], unit).toBe(manifest.homepage);
    }
    expect(USER_AGENT).toContain(`(+${project})`);
  });

  it('an MIT LICENSE file, as package.json says', () => {
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(REPO, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  it('every relative link of the README and docs/ resolves to a file inside the repository', () => {
    const documents = ['README.md', 'DEVELOPERS.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    let links = 0;
    for (const document of documents) {
      const text = readFileSync(join(REPO, document), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:|^#/.test(target!)) continue;
        const path = resolve(REPO, dirname(document), target!.replace(/#.*$/, ''));
        expect(relative(REPO, path), `${document} → ${target}`).not.toMatch(/^\.\./);
        expect(existsSync(path), `${document} → ${target}`).toBe(true);
        links++;
      }
    }
    expect(links).toBeGreaterThan(2);
  });

  it("docs/mmt-api-v3.md is the shared API contract, word for word", () => {
    const copy = readFileSync(join(REPO, 'docs/mmt-api-v3.md'), 'utf8').replace(/^<!--[\s\S]*?-->\n/, '');
    expect(copy).toBe(readFileSync(join(REPO, '../shared/api/mmt-api-v3.md'), 'utf8'));
  });

  it('engines names exactly the Node lines .ci/run tests', () => {
    const ci = readFileSync(join(REPO, '.ci/run'), 'utf8');
    const lines = (name: string) => (ci.match(new RegExp(`^${name}="([\\d ]+)"`, 'm'))?.[1] ?? '').split(' ').filter(Boolean).map(Number);
    const tested = [...lines('NODE_LINES_FULL'), ...lines('NODE_LINES_DEMO')].sort((a, b) => a - b);
    expect(tested).toEqual([20, 22, 24, 26]);
    const majors = manifest.engines.node.split('||').map((range) => Number(/\^(\d+)\./.exec(range.trim())?.[1]));
    expect(majors).toEqual(tested);
  });
});
