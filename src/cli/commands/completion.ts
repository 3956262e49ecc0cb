import { VERSION } from '../../package-root.js';
import { bashCompletion } from '../completion/bash.js';
import { fishCompletion } from '../completion/fish.js';
import { describeCommands } from '../completion/spec.js';
import { zshCompletion } from '../completion/zsh.js';
import type { Io } from '../io.js';
import { buildProgram } from '../registry.js';

export interface CompletionOptions {
  readonly shell: 'bash' | 'zsh' | 'fish';
}

const GENERATORS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

/** The completion script for a shell, written from the same registry that parses the command line. */
export async function runCompletion(options: CompletionOptions, io: Io): Promise<string> {
  // Only the tree is read: nothing of this program runs.
  const program = buildProgram({ run: async () => {} }, VERSION);
  const script = GENERATORS[options.shell](describeCommands(program));
  io.out(script);
  return script;
}
