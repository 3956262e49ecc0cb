import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VERSION } from '../package-root.js';
import { HttpFailure } from './failure.js';
import { MAX_REPLY_BYTES, httpRequest } from './request.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('httpRequest', () => {
  it('refuses a reply that announces more than 1 MiB without waiting for its body', async () => {
    let written = 0;
    const origin = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(64 * 1024 * 1024) });
      // A little, then nothing: a client that reads on waits for its deadline.
      res.write(' '.repeat(1024));
      written = 1024;
    });
    const started = Date.now();
    const error = await httpRequest({ url: `${origin}/big`, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpFailure);
    expect((error as HttpFailure).failureKind).toBe('too-large');
    expect((error as Error).message).toMatch(/announced 67108864 bytes \(over 1 MiB\).*not read/);
    expect(Date.now() - started, 'it did not wait for the body').toBeLessThan(5_000);
    expect(written).toBe(1024);
  });

  it('stops reading a reply without a length once it passes 1 MiB', async () => {
    let sent = 0;
    let closed = false;
    const origin = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.on('close', () => {
        closed = true;
      });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        // Endless, as a broken server's stream is: only the client can end it.
        while (!closed && sent < 64 * MAX_REPLY_BYTES && res.write(chunk)) sent += chunk.length;
        if (!closed && sent < 64 * MAX_REPLY_BYTES) res.once('drain', pump);
      };
      pump();
    });
    const error = await httpRequest({ url: `${origin}/stream`, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect((error as HttpFailure).failureKind).toBe('too-large');
    expect((error as Error).message).toMatch(/went on past 1 MiB/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed, 'the connection was cut').toBe(true);
    expect(sent).toBeLessThan(16 * MAX_REPLY_BYTES);
  });

  it('does not follow a redirect: the 3xx comes back with its Location, and the target is never asked', async () => {
    const hits: string[] = [];
    const origin = await serve((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      if (req.url === '/moved') res.writeHead(302, { Location: '/target' }).end();
      else res.writeHead(200).end('{}');
    });
    const response = await httpRequest({ url: `${origin}/moved`, method: 'POST', body: new URLSearchParams({ a: '1' }), timeoutMs: 5_000 });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/target');
    expect(hits).toEqual(['POST /moved']);
  });

  it('sends User-Agent mmt-sync/<version> on every request, whatever the caller passes', async () => {
    const agents: string[] = [];
    const origin = await serve((req, res) => {
      agents.push(req.headers['user-agent'] ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('\uFEFF{"ok":1}');
    });
    const get = await httpRequest({ url: `${origin}/a`, timeoutMs: 5_000 });
    await httpRequest({ url: `${origin}/b`, method: 'POST', headers: { 'User-Agent': 'node' }, body: new URLSearchParams(), timeoutMs: 5_000 });
    expect(agents).toHaveLength(2);
    for (const agent of agents) expect(agent.startsWith(`mmt-sync/${VERSION}`)).toBe(true);
    expect(get.json).toEqual({ ok: 1 });
  });

  it('refuses plain http to another machine before connecting', async () => {
    await expect(httpRequest({ url: 'http://example.com/api3/', timeoutMs: 1_000 })).rejects.toThrow(/https is required/);
  });
});
