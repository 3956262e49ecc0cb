import { describe, expect, it } from 'vitest';
import { normalizeArgv } from './argv.js';
import { buildProgram } from './registry.js';

const program = buildProgram({ run: async () => {} }, '0.0.0');
const normalize = (...argv: string[]) => normalizeArgv(argv, program);

describe('the forms without a command word', () => {
  it('no command is the daemon, with or without options', () => {
    expect(normalize()).toEqual(['watch']);
    expect(normalize('-v')).toEqual(['watch', '-v']);
    expect(normalize('--folder', '/data/watch')).toEqual(['watch', '--folder', '/data/watch']);
  });

  it('--once is sync, wherever it stands among the options', () => {
    expect(normalize('--once')).toEqual(['sync']);
    expect(normalize('--folder', 'x', '--once', '--dry-run')).toEqual(['sync', '--folder', 'x', '--dry-run']);
  });

  it("an option's value is never taken for a command word", () => {
    expect(normalize('--folder', 'sync')).toEqual(['watch', '--folder', 'sync']);
    expect(normalize('--config', 'status', '--once')).toEqual(['sync', '--config', 'status']);
  });

  it('a word that is no command stays for the parser (unknown command, with a suggestion)', () => {
    expect(normalize('syncc')).toEqual(['syncc']);
    expect(normalize('-v', 'statsu')).toEqual(['-v', 'statsu']);
  });

  it('commands, help and version pass through', () => {
    expect(normalize('status', '--json')).toEqual(['status', '--json']);
    expect(normalize('--help')).toEqual(['--help']);
    expect(normalize('--once', '--help')).toEqual(['--once', '--help']);
    expect(normalize('-V')).toEqual(['-V']);
  });
});
