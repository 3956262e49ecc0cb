import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/** Every file the installer writes says so; uninstall removes nothing without it. */
export const GENERATED_MARKER = 'mmt-sync service install';

/** A template shipped in the package (`systemd/…`, `launchd/…`). */
export function readTemplate(relativePath: string, root: string = packageRoot()): string {
  return readFileSync(join(root, relativePath), 'utf8');
}

/**
 * Fills `@NAME@` placeholders. A placeholder alone on its line is replaced by a block of
 * lines (none: the line goes). Every placeholder must be given and every value used, so
 * a template and its generator cannot drift apart silently.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string | readonly string[]>>): string {
  const used = new Set<string>();
  const lookup = (name: string): string | readonly string[] => {
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder @${name}@ has no value`);
    used.add(name);
    return value;
  };
  const lines: string[] = [];
  for (const line of template.split('\n')) {
    const whole = /^(\s*)@([A-Z_]+)@\s*$/.exec(line);
    if (whole) {
      const value = lookup(whole[2]!);
      const block = typeof value === 'string' ? (value === '' ? [] : value.split('\n')) : value;
      lines.push(...block);
      continue;
    }
    lines.push(
      line.replace(/@([A-Z_]+)@/g, (_match, name: string) => {
        const value = lookup(name);
        if (typeof value !== 'string') throw new Error(`template placeholder @${name}@ takes a block and must stand alone on its line`);
        return value;
      }),
    );
  }
  for (const name of Object.keys(values)) {
    if (!used.has(name)) throw new Error(`template has no placeholder @${name}@`);
  }
  return lines.join('\n');
}
