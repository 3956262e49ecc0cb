/**
 * "Look at the journal now": how `retry` and `forget` reach a running daemon, so what they
 * queued goes out within a second instead of at the next scheduled rescan.
 *
 * A Unix socket in the state directory. The daemon listens while it holds the instance
 * lock; a command connects, says `wake`, and hangs up. Chosen over a signal to the pid in
 * the lock (a stale pid file after a crash would aim the signal at whatever process got
 * that pid, and SIGUSR1's default action kills it) and over a FIFO (a FIFO reader parks a
 * thread-pool thread, and a writer with no reader blocks or needs O_NONBLOCK tricks). The
 * socket carries no data anyone acts on beyond "wake", and lives in the 0700 state dir.
 */
import { rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';

const SOCKET_NAME = 'daemon.sock';
/** sun_path holds 108 bytes on Linux, 104 on macOS: longer paths cannot be a socket. */
const MAX_SOCKET_PATH = 103;
const CONNECT_TIMEOUT_MS = 1000;

export function wakeSocketPath(stateDir: string): string {
  return join(stateDir, SOCKET_NAME);
}

/**
 * Listens for wake-ups; `onWake` runs once per connection. Resolves with a closer, or
 * with undefined (and a reason for the log) when this state dir cannot hold a socket.
 * Call only while holding the daemon's instance lock: a leftover socket is removed.
 */
export async function listenForWakeUps(stateDir: string, onWake: () => void): Promise<{ close(): Promise<void> } | { unavailable: string }> {
  const path = wakeSocketPath(stateDir);
  if (path.length > MAX_SOCKET_PATH) return { unavailable: `the state directory path is too long for a socket (${path.length} bytes)` };
  // A daemon killed with -9 leaves its socket behind; we hold the lock, so it is ours to replace.
  rmSync(path, { force: true });
  const server: Server = createServer((socket) => {
    socket.on('error', () => {});
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy());
    socket.end();
    onWake();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
  server.on('error', () => {});
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(path, { force: true });
      }),
  };
}

/** Tells a running daemon to look at the journal now. False when none listens (nothing to wake). */
export function wakeDaemon(stateDir: string): Promise<boolean> {
  const path = wakeSocketPath(stateDir);
  if (path.length > MAX_SOCKET_PATH) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect(path);
    const timer = setTimeout(() => finish(false), CONNECT_TIMEOUT_MS);
    function finish(woken: boolean) {
      clearTimeout(timer);
      socket.destroy();
      resolve(woken);
    }
    socket.once('connect', () => socket.end('wake\n', () => finish(true)));
    socket.once('error', () => finish(false));
  });
}
