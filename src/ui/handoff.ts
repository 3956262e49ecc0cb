import { readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../fsutil/atomic-write.js';
import { registerSecret } from '../redact.js';
import { mintToken } from './access.js';

/**
 * What `mmt-sync ui --print-url` needs to let one more browser into a running
 * dashboard: its port and its signing key, in a 0600 file of the 0700 state directory
 * (another user of the machine can read neither). Written when a dashboard starts,
 * removed when it stops.
 */
const FILE = 'ui.json';

export interface Handoff {
  readonly pid: number;
  readonly port: number;
  readonly key: Buffer;
}

export function writeHandoff(stateDir: string, handoff: Handoff): void {
  ensurePrivateDir(stateDir);
  writeFileAtomic(join(stateDir, FILE), JSON.stringify({ pid: handoff.pid, port: handoff.port, key: handoff.key.toString('base64') }), 0o600, { fsync: false });
}

/** Removes the file if it is still this process's (a newer dashboard may have replaced it). */
export function removeHandoff(stateDir: string, pid = process.pid): void {
  if (readHandoff(stateDir)?.pid === pid) rmSync(join(stateDir, FILE), { force: true });
}

export function readHandoff(stateDir: string): Handoff | undefined {
  const path = join(stateDir, FILE);
  try {
    // Anything but a private file of ours is not trusted (and not used).
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0 || (process.getuid && stat.uid !== process.getuid())) return undefined;
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; port?: unknown; key?: unknown };
    if (typeof parsed.pid !== 'number' || typeof parsed.port !== 'number' || typeof parsed.key !== 'string') return undefined;
    registerSecret(parsed.key);
    return { pid: parsed.pid, port: parsed.port, key: Buffer.from(parsed.key, 'base64') };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function listening(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function dashboardUrl(port: number, token?: string): string {
  return `http://127.0.0.1:${port}/${token ? `?token=${token}` : ''}`;
}

/** A URL with a fresh one-time token for the dashboard running now, or undefined when none runs. */
export async function mintUrlForRunning(stateDir: string): Promise<string | undefined> {
  const handoff = readHandoff(stateDir);
  if (!handoff || !alive(handoff.pid) || !(await listening(handoff.port))) return undefined;
  return dashboardUrl(handoff.port, mintToken(handoff.key));
}
