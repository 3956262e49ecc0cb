import type { Logger } from '../log.js';
import { progressStyle, type ProgressStyle } from './terminal.js';

/** What a command may touch: results go to stdout, everything else to the logger (stderr). */
export interface Io {
  /** One line (or block) of results on stdout. */
  out(text: string): void;
  readonly log: Logger;
  /** stdout is a terminal (a person is reading). */
  readonly isTTY: boolean;
  /** How to show progress: a bar, plain lines (TERM=dumb, NO_COLOR), or none (not a terminal). */
  readonly progress: ProgressStyle;
}

export function processIo(log: Logger): Io {
  return {
    out: (text) => {
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    log,
    isTTY: Boolean(process.stdout.isTTY),
    progress: progressStyle(process.env, Boolean(process.stdout.isTTY), Boolean(process.stderr.isTTY)),
  };
}
