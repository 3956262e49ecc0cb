import type { CommandSpec } from './spec.js';

/** Every command of the tree with its path of command words ('' is the program itself). */
export function* walk(spec: CommandSpec, path = ''): Generator<{ path: string; spec: CommandSpec }> {
  yield { path, spec };
  for (const child of spec.commands) yield* walk(child, path ? `${path} ${child.name}` : child.name);
}
