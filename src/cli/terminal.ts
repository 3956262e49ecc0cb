/**
 * Terminal manners in one place: what a command may draw depends on where its output
 * goes and on the two conventions users set to ask for plain text.
 */

/** How progress is shown: redrawn in place, as plain lines, or not at all. */
export type ProgressStyle = 'bar' | 'lines' | 'none';

/**
 * False under NO_COLOR (any non-empty value, https://no-color.org) or TERM=dumb (a
 * terminal without cursor control: Emacs shells, some CI consoles, screen readers'
 * plain modes): then not one escape sequence is written, colour or cursor movement.
 */
export function escapesAllowed(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
}

/**
 * A bar on stderr only while a person watches both streams (stdout a terminal too, so
 * `mmt-sync --once > log` stays quiet); plain progress lines where escapes are not wanted.
 */
export function progressStyle(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean, stderrIsTTY: boolean): ProgressStyle {
  if (!stdoutIsTTY || !stderrIsTTY) return 'none';
  return escapesAllowed(env) ? 'bar' : 'lines';
}
