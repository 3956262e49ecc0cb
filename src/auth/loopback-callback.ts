import { createServer, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { usageError } from '../errors.js';
import { redact } from '../redact.js';

/** What the browser is told once the login has finished, well or not. */
export interface CallbackOutcome {
  readonly ok: boolean;
  readonly message: string;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(outcome: CallbackOutcome): string {
  const [title, text] = outcome.ok
    ? ['mmt-sync is connected', 'You can close this window and return to the terminal.']
    : ['Login not completed', `${escapeHtml(redact(outcome.message))}<br>You can close this window.`];
  return (
    `<!doctype html><meta charset="utf-8"><title>mmt-sync</title><body style="font-family:sans-serif;margin:3em">` +
    `<h1>${title}</h1><p>${text}</p></body>`
  );
}

/**
 * The RFC 8252 loopback redirect target: bound to 127.0.0.1 only, on the given port (0: a
 * random one), and it takes exactly one request on /callback. The browser's answer waits
 * until the login has finished, so the page says how it went; then the listener closes.
 */
export class LoopbackCallback {
  private pending: ServerResponse | undefined;

  private constructor(
    private readonly server: Server,
    readonly redirectUri: string,
    private readonly result: Promise<URLSearchParams>,
  ) {}

  static async start(port = 0): Promise<LoopbackCallback> {
    let deliver!: (params: URLSearchParams) => void;
    const result = new Promise<URLSearchParams>((resolve) => {
      deliver = resolve;
    });
    let taken = false;
    let self: LoopbackCallback | undefined;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' || url.pathname !== '/callback' || taken) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      taken = true;
      self!.pending = res;
      deliver(url.searchParams);
    });
    server.listen(port, '127.0.0.1');
    try {
      await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        throw usageError('CALLBACK_PORT_UNAVAILABLE', `auth.callbackPort ${port}: cannot listen on 127.0.0.1:${port} (${code}); close what uses it or pick another port`);
      }
      throw error;
    }
    const { port: bound } = server.address() as AddressInfo;
    self = new LoopbackCallback(server, `http://127.0.0.1:${bound}/callback`, result);
    return self;
  }

  /** The callback's query parameters, once the browser comes back. */
  wait(): Promise<URLSearchParams> {
    return this.result;
  }

  /** Answers the browser (if it came) with how the login went, and stops listening. */
  close(outcome: CallbackOutcome = { ok: false, message: 'mmt-sync stopped waiting.' }): void {
    const res = this.pending;
    this.pending = undefined;
    if (res && !res.writableEnded) {
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' })
        .end(page(outcome));
    }
    this.server.close();
    // Only idle connections: the answer just written still has to reach the browser.
    this.server.closeIdleConnections();
  }
}
