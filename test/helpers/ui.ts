import { request } from 'node:http';
import { startCli, type RunningCli, type TestHome } from './cli.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request with exactly the headers given (Host and Origin included): no browser rules apply. */
export function rawRequest(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: { Host: `127.0.0.1:${port}`, ...options.headers }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          // An event stream never ends by itself: its first bytes are enough here.
          if (res.headers['content-type']?.startsWith('text/event-stream')) res.destroy();
        });
        res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface RunningUi {
  readonly home: TestHome;
  readonly cli: RunningCli;
  readonly url: URL;
  readonly port: number;
}

/** `mmt-sync ui --port 0 --no-browser`: its first stdout line is the URL with the one-time token. */
export async function startUi(home: TestHome, extra: readonly string[] = []): Promise<RunningUi> {
  const cli = startCli(['ui', '--port', '0', '--no-browser', ...extra], home.env);
  const line = await Promise.race([cli.firstLine, cli.done.then((r) => Promise.reject(new Error(`mmt-sync ui exited ${r.code}: ${r.stderr}`)))]);
  const url = new URL(line);
  return { home, cli, url, port: Number(url.port) };
}

/** Redeems a dashboard URL's token as a browser would: the session cookie it sets. */
export async function openSession(url: URL): Promise<string> {
  const response = await rawRequest(Number(url.port), { path: `${url.pathname}${url.search}` });
  if (response.status !== 303) throw new Error(`expected a redirect for the token, got ${response.status}: ${response.body}`);
  const cookie = [response.headers['set-cookie'] ?? []].flat()[0]!;
  return cookie.split(';')[0]!;
}

export function csrfOf(page: string): string {
  return /name="csrf" value="([^"]+)"/.exec(page)![1]!;
}
