/**
 * `mmt-sync completion bash|zsh|fish`: each script parses in its shell and completes
 * commands, subcommands, options and their values there, from the one registry. bash is
 * always run; zsh and fish where installed (CI installs both and sets
 * MMT_SYNC_REQUIRE_SHELLS=1, so there they cannot be skipped).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/registry.js';
import { REPO, runCli } from '../helpers/cli.js';

const required = process.env.MMT_SYNC_REQUIRE_SHELLS === '1';
const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const env = { PATH: process.env.PATH, HOME: '/nonexistent-home', XDG_CONFIG_HOME: '/nonexistent-config' };
const dir = mkdtempSync(join(tmpdir(), 'mmt-sync-completion-'));
const scripts: Record<string, string> = {};
const topLevel = buildProgram({ run: async () => {} }, '0.0.0').commands.map((c) => c.name());

beforeAll(async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const result = await runCli(['completion', shell], env);
    expect(result.code, result.stderr).toBe(0);
    scripts[shell] = join(dir, shell === 'zsh' ? '_mmt-sync' : `mmt-sync.${shell}`);
    writeFileSync(scripts[shell]!, result.stdout);
  }
  // Something for file and folder completion to find.
  mkdirSync(join(dir, 'tree', 'rides'), { recursive: true });
  writeFileSync(join(dir, 'tree', 'run.fit'), '');
});

describe('bash', () => {
  /** Completes `words` (the last one is being typed) the way bash's `complete -F` calls the function. */
  function complete(...words: string[]): string[] {
    const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _mmt_sync; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = execFileSync('bash', ['-c', script, 'bash', scripts.bash!, 'mmt-sync', ...words], { cwd: join(dir, 'tree'), encoding: 'utf8' });
    return out.split('\n').filter(Boolean).sort();
  }

  it('parses', () => {
    expect(spawnSync('bash', ['-n', scripts.bash!]).status).toBe(0);
  });

  it('completes every top-level command of the registry, and subcommands', () => {
    expect(complete('')).toEqual([...topLevel].sort());
    expect(complete('s')).toEqual(topLevel.filter((c) => c.startsWith('s')).sort());
    expect(complete('con')).toEqual(['config']);
    expect(complete('config', '')).toEqual(['path', 'show']);
  });

  it("completes a command's options, and an option's values", () => {
    expect(complete('sync', '--f')).toEqual(['--folder']);
    expect(complete('config', 'show', '--j')).toEqual(['--json']);
    expect(complete('--o')).toEqual(['--once']);
    expect(complete('--log-format', '')).toEqual(['json', 'text']);
    expect(complete('live', '--status', 'p')).toEqual(['private', 'public']);
    expect(complete('service', '')).toEqual(['install', 'plugged', 'status', 'uninstall']);
    expect(complete('completion', 'z')).toEqual(['zsh']);
  });

  it('completes folders for --folder and files for inspect, past options and their values', () => {
    expect(complete('sync', '--folder', '')).toEqual(['rides']);
    expect(complete('inspect', '--config', 'x.yaml', 'r')).toEqual(['rides', 'run.fit']);
    // An option's value is not taken for a command word.
    expect(complete('--folder', 'config', '')).toEqual([...topLevel].sort());
  });
});

describe.runIf(required || has('zsh'))('zsh', () => {
  it('parses, and zsh completes commands, subcommands and values with it', () => {
    expect(spawnSync('zsh', ['-n', scripts.zsh!]).status).toBe(0);
    const out = execFileSync('python3', [join(REPO, 'test/fixtures/zsh-complete.py'), dir, 'mmt-sync con', 'mmt-sync config ', 'mmt-sync service ', 'mmt-sync sync --fo'], { encoding: 'utf8' });
    const [con, config, service, option] = JSON.parse(out) as string[];
    expect(con).toContain('mmt-sync config ');
    expect(config).toMatch(/path\s+-- print the path of the config file/);
    expect(config).toMatch(/show\s+-- the configuration in effect/);
    expect(service).toMatch(/install\s+plugged\s+status\s+uninstall/);
    expect(option).toContain('mmt-sync sync --folder');
  });
});

describe.runIf(required || has('fish'))('fish', () => {
  const complete = (line: string): string[] =>
    execFileSync('fish', ['-c', 'source $argv[1]; complete -C $argv[2]', scripts.fish!, line], { cwd: join(dir, 'tree'), encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]!)
      .sort();

  it('parses, and fish completes commands, subcommands, options and values with it', () => {
    expect(spawnSync('fish', ['-n', scripts.fish!]).status).toBe(0);
    expect(complete('mmt-sync ')).toEqual([...topLevel].sort());
    expect(complete('mmt-sync con')).toEqual(['config']);
    expect(complete('mmt-sync config ')).toEqual(['path', 'show']);
    expect(complete('mmt-sync sync --fol')).toEqual(['--folder']);
    expect(complete('mmt-sync service ')).toEqual(['install', 'plugged', 'status', 'uninstall']);
    expect(complete('mmt-sync --log-format ')).toEqual(['json', 'text']);
    expect(complete('mmt-sync --folder config ')).toEqual([...topLevel].sort());
  });
});
