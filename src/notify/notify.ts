/**
 * Desktop notifications after a sync (config `notify: true`): the freedesktop notification
 * service on Linux (`notify-send`, else a D-Bus call through `gdbus`), Notification Center
 * on macOS (`osascript`). Where none exists it does nothing and says so only at debug
 * level. It never throws and never waits long: a notification is not worth a failed sync.
 *
 * Text is passed as program arguments (no shell) and escaped for what reads it: markup
 * for the notification server, GVariant literals for gdbus. It carries counts, file
 * names and failure reasons (redacted), never a token.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger } from '../log.js';
import { syncNotice, type Notice, type SyncOutcome } from './message.js';

export type { Notice, SyncOutcome } from './message.js';
export { syncNotice } from './message.js';

export type NotifyBackend = 'notify-send' | 'gdbus' | 'osascript';

export interface NotifyResult {
  readonly sent: boolean;
  readonly via?: NotifyBackend;
  /** Why nothing was sent (off, nothing to say, no service, the tool failed). */
  readonly reason?: string;
}

export interface NotifyOptions {
  /** @default process.env (PATH, DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR) */
  readonly env?: NodeJS.ProcessEnv;
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
  readonly log?: Logger;
  /** The notifier gets this long before it is killed. @default 5000 */
  readonly timeoutMs?: number;
}

const APP_NAME = 'mmt-sync';

/**
 * The call the daemon and `mmt-sync sync` make after each sync. Resolves (never rejects)
 * once the notification was handed over or it is clear none can be.
 */
export async function notifySyncResult(config: { readonly notify: boolean }, outcome: SyncOutcome, options: NotifyOptions = {}): Promise<NotifyResult> {
  if (!config.notify) return { sent: false, reason: 'notifications are off (notify: false)' };
  const notice = syncNotice(outcome);
  if (!notice) return { sent: false, reason: 'nothing to tell' };
  return sendNotification(notice, options);
}

/** Freedesktop bodies may hold markup (<b>, <a href>); a file name must not. */
export function markupEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A GVariant text-format string literal, which is how gdbus reads its arguments. */
export function gvariantString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const URGENCY_BYTE = { low: 0, normal: 1, critical: 2 } as const;

export function notifySendArgv(notice: Notice): string[] {
  return [`--app-name=${APP_NAME}`, `--urgency=${notice.urgency}`, '--', notice.title, markupEscape(notice.body)];
}

export function gdbusArgv(notice: Notice): string[] {
  return [
    'call',
    '--session',
    '--dest', 'org.freedesktop.Notifications',
    '--object-path', '/org/freedesktop/Notifications',
    '--method', 'org.freedesktop.Notifications.Notify',
    gvariantString(APP_NAME),
    '0',
    gvariantString(''),
    gvariantString(notice.title),
    gvariantString(markupEscape(notice.body)),
    '[]',
    `{'urgency': <byte ${URGENCY_BYTE[notice.urgency]}>}`,
    // Milliseconds; 0 keeps "login required" until dismissed.
    notice.urgency === 'critical' ? '0' : '8000',
  ];
}

/** Title and body travel as argv items, so nothing in them is AppleScript source. */
export function osascriptArgv(notice: Notice): string[] {
  return ['-e', 'on run argv', '-e', 'display notification (item 2 of argv) with title (item 1 of argv)', '-e', 'end run', notice.title, notice.body];
}

function findExecutable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function hasSessionBus(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DBUS_SESSION_BUS_ADDRESS) || (Boolean(env.XDG_RUNTIME_DIR) && existsSync(join(env.XDG_RUNTIME_DIR!, 'bus')));
}

function call(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    const done = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok, detail });
    };
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(false, `no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    child.on('error', (error) => done(false, error.message));
    child.on('close', (code) => done(code === 0, code === 0 ? '' : stderr.trim().split('\n')[0] || `exit code ${code}`));
  });
}

export async function sendNotification(notice: Notice, options: NotifyOptions = {}): Promise<NotifyResult> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const attempts: Array<[NotifyBackend, string, string[]]> = [];
  if (platform === 'darwin') {
    const osascript = findExecutable('osascript', { PATH: env.PATH ?? '/usr/bin' });
    if (osascript) attempts.push(['osascript', osascript, osascriptArgv(notice)]);
  } else if (platform !== 'win32') {
    if (!hasSessionBus(env)) return quiet(options, 'no D-Bus session bus');
    const notifySend = findExecutable('notify-send', env);
    const gdbus = findExecutable('gdbus', env);
    if (notifySend) attempts.push(['notify-send', notifySend, notifySendArgv(notice)]);
    if (gdbus) attempts.push(['gdbus', gdbus, gdbusArgv(notice)]);
  }
  if (!attempts.length) return quiet(options, `no notification tool on ${platform}`);
  let reason = '';
  for (const [via, command, args] of attempts) {
    const outcome = await call(command, args, env, timeoutMs);
    if (outcome.ok) return { sent: true, via };
    reason = `${via}: ${outcome.detail}`;
  }
  return quiet(options, reason);
}

function quiet(options: NotifyOptions, reason: string): NotifyResult {
  options.log?.debug(`no desktop notification: ${reason}`);
  return { sent: false, reason };
}
