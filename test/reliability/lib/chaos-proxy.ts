/**
 * Latency spikes, which the sandbox (a constant `latencyMs`) cannot make: a TCP proxy in
 * front of it that holds back some responses for a while. Requests pass at once, so the
 * sandbox's request log still shows when the client sent each one (what the Retry-After
 * check needs); 429 responses are never held, so a client always hears about a rate
 * limit it is judged on. A spike longer than the client's timeout is a timeout.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface SpikeOptions {
  /** Share of responses held back. */
  readonly rate: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Numbers in [0, 1), seeded by the caller. */
  readonly random: () => number;
}

export interface SpikeProxy {
  /** The sandbox's base URL with the proxy's port. */
  readonly baseUrl: string;
  /** Off until set: login goes through undisturbed. */
  enabled: boolean;
  readonly counts: { responses: number; spikes: number; spikeMsTotal: number; droppedByClient: number };
  close(): Promise<void>;
}

export async function startSpikeProxy(upstreamBaseUrl: string, options: SpikeOptions): Promise<SpikeProxy> {
  const upstream = new URL(upstreamBaseUrl);
  const sockets = new Set<Socket>();
  const counts = { responses: 0, spikes: 0, spikeMsTotal: 0, droppedByClient: 0 };
  const proxy = { enabled: false };

  const server = createServer((client) => {
    const backend = connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(backend);
    // Responses leave in order; a held one holds back whatever follows it on the connection.
    let queue = Promise.resolve();
    client.pipe(backend);
    backend.on('data', (chunk: Buffer) => {
      const head = chunk.subarray(0, 12).toString('latin1');
      const startsResponse = head.startsWith('HTTP/1.');
      if (startsResponse) counts.responses++;
      const hold = proxy.enabled && startsResponse && !head.startsWith('HTTP/1.1 429') && options.random() < options.rate;
      const delayMs = hold ? options.minMs + options.random() * (options.maxMs - options.minMs) : 0;
      if (hold) {
        counts.spikes++;
        counts.spikeMsTotal += delayMs;
      }
      queue = queue.then(async () => {
        if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (client.destroyed) {
          if (startsResponse) counts.droppedByClient++;
          return;
        }
        client.write(chunk);
      });
    });
    const end = () => {
      void queue.then(() => client.end());
    };
    backend.on('end', end);
    backend.on('error', () => client.destroy());
    client.on('error', () => backend.destroy());
    client.on('close', () => {
      backend.destroy();
      sockets.delete(client);
    });
    backend.on('close', () => sockets.delete(backend));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = new URL(upstreamBaseUrl);
  baseUrl.port = String(port);

  return {
    baseUrl: baseUrl.toString(),
    get enabled() {
      return proxy.enabled;
    },
    set enabled(value: boolean) {
      proxy.enabled = value;
    },
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
