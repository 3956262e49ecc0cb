import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface CallbackResult {
  readonly code?: string;
  readonly state?: string;
  readonly error?: string;
  readonly errorDescription?: string;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>mmt-sync</title><body style="font-family:sans-serif;margin:3em">` +
  `<h1>${title}</h1><p>${text}</p></body>`;

/**
 * The RFC 8252 loopback redirect target: bound to 127.0.0.1 only, on a random port,
 * and it takes exactly one request on /callback, then closes.
 */
export class LoopbackCallback {
  private constructor(
    private readonly server: Server,
    readonly redirectUri: string,
    private readonly result: Promise<CallbackResult>,
  ) {}

  static async start(): Promise<LoopbackCallback> {
    let deliver!: (result: CallbackResult) => void;
    const result = new Promise<CallbackResult>((resolve) => {
      deliver = resolve;
    });
    let taken = false;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' || url.pathname !== '/callback' || taken) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      taken = true;
      const get = (name: string) => url.searchParams.get(name) ?? undefined;
      const error = get('error');
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' })
        .end(
          error
            ? PAGE('Login not completed', 'Map My Tracks did not grant access. You can close this window.')
            : PAGE('mmt-sync is connected', 'You can close this window and return to the terminal.'),
        );
      const found: Record<string, string> = {};
      for (const [key, name] of [
        ['code', 'code'],
        ['state', 'state'],
        ['error', 'error'],
        ['errorDescription', 'error_description'],
      ] as const) {
        const value = get(name);
        if (value !== undefined) found[key] = value;
      }
      deliver(found);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return new LoopbackCallback(server, `http://127.0.0.1:${port}/callback`, result);
  }

  wait(): Promise<CallbackResult> {
    return this.result;
  }

  close(): void {
    this.server.close();
    this.server.closeAllConnections();
  }
}
