/**
 * Quoting for the three languages the installer writes: systemd unit files, XML property
 * lists and the one shell line it prints for the user to run. Pure string work.
 */
import { usageError } from '../errors.js';

/** Paths come from the user's environment; a newline or NUL in one would end the directive. */
function refuseControlCharacters(value: string, what: string): void {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw usageError('SERVICE_BAD_PATH', `${what}: control characters are not allowed in a path written to a unit file, got ${JSON.stringify(value)}`);
  }
}

/** `%` starts a specifier in every unit-file value; `%%` is a literal percent sign. */
export function escapeSpecifiers(value: string): string {
  return value.replace(/%/g, '%%');
}

/**
 * One word of an `ExecStart=` command line: plain when it can be, else double-quoted
 * with C-style escapes. `$` would expand an environment variable and `%` a specifier.
 */
export function systemdExecArg(value: string): string {
  refuseControlCharacters(value, 'ExecStart');
  const escaped = escapeSpecifiers(value).replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@+=:,./%$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** One `Environment=` assignment; always quoted so spaces in paths survive. */
export function systemdEnvironment(name: string, value: string): string {
  refuseControlCharacters(value, name);
  return `Environment="${name}=${escapeSpecifiers(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A path in a space-separated list setting (`ReadWritePaths=`): quoted when it has to be. */
export function systemdPathListItem(value: string): string {
  refuseControlCharacters(value, 'ReadWritePaths');
  const escaped = escapeSpecifiers(value);
  return /^[^\s"'\\]+$/.test(escaped) ? escaped : `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A single-path setting (`PathChanged=`, `EnvironmentFile=`): the whole rest of the line. */
export function systemdPath(value: string): string {
  refuseControlCharacters(value, 'path');
  return escapeSpecifiers(value);
}

export function xmlText(value: string): string {
  refuseControlCharacters(value.replace(/[\t\n]/g, ''), 'plist value');
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A POSIX shell word, for the command lines printed for the user to copy. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(' ');
}
