import type { Logger } from '../log.js';

/** What a command may touch: results go to stdout, everything else to the logger (stderr). */
export interface Io {
  /** One line (or block) of results on stdout. */
  out(text: string): void;
  readonly log: Logger;
  /** stdout is a terminal: progress bars and colours are allowed. */
  readonly isTTY: boolean;
}

export function processIo(log: Logger): Io {
  return {
    out: (text) => {
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    log,
    isTTY: Boolean(process.stdout.isTTY),
  };
}
