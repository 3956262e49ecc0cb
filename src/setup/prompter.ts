import { MmtError } from '../errors.js';

/**
 * Questions to a person at a terminal. `mmt-sync setup` asks through this and nothing
 * else, so the same steps run from flags alone when nobody is there to answer.
 */
export interface Prompter {
  text(message: string, options?: { default?: string; validate?: (value: string) => string | true }): Promise<string>;
  /** Typed without echo (the client secret). */
  secret(message: string, options?: { validate?: (value: string) => string | true }): Promise<string>;
  confirm(message: string, defaultYes: boolean): Promise<boolean>;
  choose<T extends string>(message: string, choices: ReadonlyArray<{ value: T; name: string; description?: string }>, defaultValue: T): Promise<T>;
}

/** Ctrl-C (or Ctrl-D) in a prompt: setup stops where it is; what earlier steps wrote stays. */
function cancelled(error: unknown): never {
  if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError' || error.name === 'CancelPromptError')) {
    throw new MmtError('failed', 'SETUP_CANCELLED', 'setup cancelled; run `mmt-sync setup` again to finish (what it had done so far is kept)');
  }
  throw error;
}

/**
 * Prompts drawn by @inquirer (docs/decisions.md): line editing, a secret that is never
 * echoed, arrow-key choices. Without colour (NO_COLOR, TERM=dumb) the theme is plain text.
 */
export async function terminalPrompter(options: { readonly colour: boolean; readonly signal?: AbortSignal }): Promise<Prompter> {
  const [{ default: input }, { default: password }, { default: confirm }, { default: select }] = await Promise.all([
    import('@inquirer/input'),
    import('@inquirer/password'),
    import('@inquirer/confirm'),
    import('@inquirer/select'),
  ]);
  const plain = (text: string) => text;
  const theme = options.colour
    ? {}
    : { prefix: { idle: '?', done: '✔' }, style: { answer: plain, message: plain, error: (text: string) => `> ${text}`, defaultAnswer: (text: string) => `(${text})`, help: plain, highlight: plain, key: plain } };
  const context = options.signal ? { signal: options.signal } : {};
  return {
    text: (message, o = {}) =>
      input({ message, theme, ...(o.default !== undefined ? { default: o.default } : {}), ...(o.validate ? { validate: o.validate } : {}) }, context).catch(cancelled),
    secret: (message, o = {}) => password({ message, mask: true, theme, ...(o.validate ? { validate: o.validate } : {}) }, context).catch(cancelled),
    confirm: (message, defaultYes) => confirm({ message, default: defaultYes, theme }, context).catch(cancelled),
    choose: <T extends string>(message: string, choices: ReadonlyArray<{ value: T; name: string; description?: string }>, defaultValue: T) =>
      select<T>({ message, choices: choices.map((c) => ({ ...c })), default: defaultValue, theme }, context).catch(cancelled) as Promise<T>,
  };
}
