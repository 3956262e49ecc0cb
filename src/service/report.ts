/** The text `service install|uninstall|status` print (the --json output is the result itself). */
import { basename } from 'node:path';
import { shellLine } from './escape.js';
import type { ServiceActionResult } from './installer.js';
import type { ServiceStatusResult } from './status.js';

const kind = (platform: string) => (platform === 'darwin' ? 'launchd LaunchAgent' : 'systemd user units');
const indent = (text: string) => text.replace(/\n$/, '').split('\n').map((line) => `  ${line}`).join('\n');

function udevLines(result: ServiceActionResult): string[] {
  const udev = result.udev;
  if (!udev) return [];
  if (result.action === 'uninstall') {
    return udev.removeCommand ? ['', 'The udev rule is still installed; remove it as root with:', `  ${udev.removeCommand}`] : [];
  }
  if (udev.installed) return ['', `udev rule: installed (${udev.target})`];
  return [
    '',
    'Watches that connect over MTP (many recent Garmins) need a udev rule, installed once as root:',
    `  ${udev.sudo}`,
    `The rule (${basename(udev.target)}):`,
    indent(udev.rule),
  ];
}

function logHint(result: ServiceActionResult): string {
  if (result.platform === 'darwin') return 'logs: ~/Library/Logs/mmt-sync.log';
  return result.mode === 'daemon' ? 'logs: journalctl --user -u mmt-sync -f' : 'logs: journalctl --user -u mmt-sync-once';
}

export function formatAction(result: ServiceActionResult): string {
  const lines: string[] = [];
  if (result.dryRun) {
    lines.push(`# mmt-sync service ${result.action} --dry-run (${result.mode}, ${kind(result.platform)}): nothing below was written, removed or run.`);
    for (const dir of result.createdDirs) lines.push(`# would create directory ${dir}`);
    for (const path of result.removed) lines.push(`# would remove ${path}`);
    for (const file of result.files) {
      lines.push('', `# file ${file.path} (${file.state})`, file.content.replace(/\n$/, ''));
    }
    if (result.commands.length) lines.push('');
    for (const command of result.commands) lines.push(`# would run: ${shellLine(command.argv)}`);
    lines.push(...udevLines(result));
    return lines.join('\n');
  }

  for (const path of result.removed) lines.push(`removed ${path}`);
  for (const file of result.files) lines.push(`${file.state === 'unchanged' ? 'unchanged' : 'wrote'} ${file.path}`);
  for (const command of result.commands) {
    if (command.state === 'pending') continue;
    lines.push(`${command.state === 'failed' ? 'FAILED' : 'ran'}: ${shellLine(command.argv)}${command.detail ? ` (${command.detail})` : ''}`);
  }
  if (result.later) {
    lines.push(
      '',
      `Not ${result.action === 'install' ? 'enabled' : 'done'} yet: no ${result.platform === 'darwin' ? 'GUI login session (launchd gui domain)' : 'systemd user manager'} is reachable (${result.manager?.reason ?? 'unknown'}).`,
      'Once you are logged in, run:',
      `  ${result.later}`,
    );
  }
  if (result.action === 'install') {
    lines.push('', `${result.mode === 'daemon' ? 'The daemon' : 'The 15-minute timer'} is ${result.later ? 'installed' : 'installed and running'}; ${logHint(result)}`);
  } else if (!result.removed.length) {
    lines.push('nothing to uninstall: no files of `mmt-sync service install` were found');
  }
  lines.push(...udevLines(result));
  return lines.join('\n');
}

export function formatStatus(status: ServiceStatusResult): string {
  const lines = [
    `service:    ${status.installed ? `installed (${status.mode ?? 'daemon'}, ${kind(status.platform)})` : 'not installed: run `mmt-sync service install`'}`,
    `manager:    ${status.manager.reachable ? 'reachable' : `not reachable (${status.manager.reason ?? 'unknown'}): enabled/running states are a guess from the files`}`,
  ];
  const width = Math.max(0, ...status.units.map((u) => u.name.length));
  for (const unit of status.units) {
    const extra = [unit.pid ? `pid ${unit.pid}` : '', unit.lastExitCode ? `last exit ${unit.lastExitCode}` : '', unit.current ? '' : 'out of date: run `mmt-sync service install`']
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${unit.name.padEnd(width)}  ${unit.enabled.padEnd(10)} ${unit.active}${extra ? `  (${extra})` : ''}`);
  }
  if (status.udevRule) {
    lines.push(`udev rule:  ${status.udevRule.installed ? `installed (${status.udevRule.path})` : 'not installed (MTP watches need it; `mmt-sync service install` prints the command)'}`);
  }
  const last = status.lastSync;
  lines.push(`last sync:  ${last ? `${last.at} (${last.uploaded} uploaded, ${last.alreadyThere} already there, ${last.failed} failed, ${last.pending} pending)` : 'never'}`);
  return lines.join('\n');
}
