/**
 * ui/: the local dashboard (`mmt-sync ui`, or the daemon with `ui.enabled: true`): what
 * went up, what waits and why, the live session, and the buttons `retry`, `forget` and
 * `login` stand for. Served by node:http on 127.0.0.1 only, with its own static files,
 * behind a one-time token that becomes a session cookie, a Host check, Origin + CSRF
 * checks on every change and a strict CSP (access.ts, guard.ts, routes.ts).
 *
 * It may read the journal and the live buffer (through their own modules), the sources,
 * and the formats' polyline codec; it reaches auth/ only through account-bridge.ts.
 * It writes nothing but what `retry`/`forget` write, and its 0600 handoff file.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.js';
import { usageError } from '../errors.js';
import type { Logger } from '../log.js';
import { mintToken, newKey } from './access.js';
import { dashboardUrl, removeHandoff, writeHandoff } from './handoff.js';

export interface DashboardOptions {
  readonly stateDir: string;
  /** The configuration now (the daemon reloads it on SIGHUP). */
  readonly config: () => Config;
  readonly log: Logger;
  /** 0: any free port. */
  readonly port: number;
  readonly servedByDaemon: boolean;
  /** "Retry now" or "Forget" changed the queue (the daemon wakes its uploader). */
  readonly onQueueChanged?: () => void;
}

export interface Dashboard {
  readonly port: number;
  /** The dashboard's address without any token (for logs). */
  readonly address: string;
  /** A URL with a fresh one-time token: the first line `mmt-sync ui` prints. */
  mintUrl(): string;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { stateDir, log } = options;
  const key = newKey();
  const server: Server = createServer();
  server.listen(options.port, '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw usageError('UI_PORT_IN_USE', `port ${options.port} on 127.0.0.1 is in use (another program, or another mmt-sync ui): use --port 0 or set ui.port`);
    }
    throw usageError('UI_LISTEN', `the dashboard cannot listen on 127.0.0.1:${options.port}: ${(error as Error).message}`);
  }
  const port = (server.address() as AddressInfo).port;
  // Pages are small and answered at once; a client that holds a socket open sends nothing more.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  // Nobody looking costs nothing: the pages, the account and the journal are loaded by the first request.
  let serving: Promise<Serving> | undefined;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    serving ??= startServing(port, key, options);
    serving.then(
      (s) => s.handle(req, res),
      (error: Error) => {
        log.error(`dashboard: ${error.message}`);
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('mmt-sync could not start the dashboard; see its log\n');
      },
    );
  });
  writeHandoff(stateDir, { pid: process.pid, port, key });

  return {
    port,
    address: dashboardUrl(port),
    mintUrl: () => dashboardUrl(port, mintToken(key)),
    async close() {
      removeHandoff(stateDir);
      const started = await serving?.catch(() => undefined);
      started?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Serving {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

async function startServing(port: number, key: Buffer, options: DashboardOptions): Promise<Serving> {
  const [{ Access }, { accountBridge }, { loadAssets }, { ChangeFeed }, { DashboardData }, { createHandler }] = await Promise.all([
    import('./access.js'),
    import('./account-bridge.js'),
    import('./assets.js'),
    import('./change-feed.js'),
    import('./dashboard-data.js'),
    import('./routes.js'),
  ]);
  const data = new DashboardData(options.stateDir, options.config, options.servedByDaemon);
  let localWrites = 0;
  const feed: InstanceType<typeof ChangeFeed> = new ChangeFeed(async () => {
    const login = await account.loginView();
    return `${data.version()}:${localWrites}:${login.state}:${login.pending}`;
  });
  const account = accountBridge(options.config(), options.stateDir, options.log, () => feed.nudge());
  const handle = createHandler({
    port,
    access: new Access(key),
    data,
    account,
    feed,
    assets: loadAssets(),
    config: options.config,
    log: options.log,
    queueChanged: () => {
      localWrites++;
      feed.nudge();
      options.onQueueChanged?.();
    },
  });
  return {
    handle,
    close() {
      feed.close();
      account.close();
      data.close();
    },
  };
}
