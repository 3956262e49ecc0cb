/**
 * The sandbox server: a local, strict implementation of the Map My Tracks
 * API v3 contract (../shared/api/mmt-api-v3.md) with fault injection, for
 * the demo, the tests, the benchmarks and users without API access yet.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { usageError } from '../errors.js';
import { FaultInjector } from './faults.js';
import { type SandboxOptions, type SandboxTuning, resolveOptions } from './options.js';
import { API_PREFIX, type SandboxContext, handleRequest } from './router.js';
import { StatsRecorder } from './stats.js';
import { SandboxStore } from './store.js';
import { TokenService } from './tokens.js';

export type { SandboxOptions, SandboxTuning } from './options.js';
export type { RequestLogEntry, SandboxStats } from './stats.js';
export type { ActivityView } from './inspect.js';

export interface RunningSandbox {
  /** The API base, e.g. `http://127.0.0.1:PORT/api3/`; inspection lives under `/sandbox/` of the same origin. */
  readonly baseUrl: string;
  /** Its issuer identifier (RFC 9207), sent as `iss` under the iss quirk. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Stops listening, cuts open connections and waits for pending state writes. Safe to call twice. */
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions & SandboxTuning, signal?: AbortSignal): Promise<RunningSandbox> {
  signal?.throwIfAborted();
  const resolved = resolveOptions(options);
  const store = await SandboxStore.open(resolved.dataDir, { id: resolved.clientId, secret: resolved.clientSecret });
  const stats = new StatsRecorder(resolved.onRequest);
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let ctx: SandboxContext | undefined;

  const server = createServer((req, res) => {
    // ctx is set before listen() resolves, so no request can arrive without it.
    const work = handleRequest(req, res, ctx!).catch((error: unknown) => {
      process.stderr.write(`mmt-sync sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
      res.destroy();
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });
  // Uploads may be slow on a loaded CI machine; the default 5 s keep-alive is fine, headers get 60 s.
  server.headersTimeout = 60_000;

  let address: AddressInfo;
  try {
    address = await listen(server, resolved.port, resolved.host);
  } catch (error) {
    await store.close();
    throw error;
  }
  const baseUrl = `http://${urlHost(resolved.host)}:${address.port}${API_PREFIX}`;
  const issuer = baseUrl.replace(/\/$/, '');
  const { quirks } = resolved;
  ctx = {
    options: resolved,
    store,
    tokens: new TokenService(store, stats, resolved.tokenTtlS, resolved.codeTtlMs, {
      issue: !quirks.has('no-refresh-token'),
      rotate: !quirks.has('no-rotation'),
    }),
    faults: new FaultInjector(resolved),
    stats,
    baseUrl,
    issuer,
    closing: closing.signal,
  };

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      closing.abort();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      // Handlers of requests whose clients vanished must not hold the shutdown hostage.
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      await store.close();
    })();
    return closed;
  };
  signal?.addEventListener('abort', () => void close(), { once: true });

  return { baseUrl, issuer, clientId: store.client.id, clientSecret: store.client.secret, close };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(usageError('SANDBOX_PORT', `port ${port} on ${host} is in use: pick another with --port`, error));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(usageError('SANDBOX_HOST', `cannot listen on host ${host}: not an address of this machine`, error));
      } else reject(error);
    });
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}

/** The host part of the base URL: wildcard addresses are not connectable, IPv6 needs brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
