import type { ServerResponse } from 'node:http';

/**
 * Server-sent events: one `change` event whenever what the pages show moved, so pages
 * update without polling storms. The version is looked at once a second, and only while
 * at least one page is open; with nobody looking there is no timer at all.
 */
const LOOK_EVERY_MS = 1_000;
const KEEP_ALIVE_EVERY = 25;
const MAX_CLIENTS = 16;

export class ChangeFeed {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private ticks = 0;

  constructor(private readonly version: () => Promise<string>) {}

  /** Takes an event-stream request; false when too many are open already. */
  add(res: ServerResponse, headers: Record<string, string>): boolean {
    if (this.clients.size >= MAX_CLIENTS) return false;
    res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 3000\n\n');
    this.clients.add(res);
    res.on('close', () => {
      this.clients.delete(res);
      if (!this.clients.size) this.stop();
    });
    if (!this.timer) {
      this.last = undefined;
      this.schedule(0);
    }
    return true;
  }

  /** Something changed here (a button was pressed, a login landed): look now. */
  nudge(): void {
    if (this.clients.size) this.schedule(0);
  }

  get watching(): number {
    return this.clients.size;
  }

  close(): void {
    this.stop();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.look(), ms);
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async look(): Promise<void> {
    let version: string;
    try {
      version = await this.version();
    } catch (error) {
      version = `error:${(error as Error).message}`;
    }
    if (!this.clients.size) return;
    if (this.last !== undefined && version !== this.last) this.broadcast(`event: change\ndata: ${JSON.stringify({ version })}\n\n`);
    else if (++this.ticks % KEEP_ALIVE_EVERY === 0) this.broadcast(': keep-alive\n\n');
    this.last = version;
    this.schedule(LOOK_EVERY_MS);
  }

  private broadcast(text: string): void {
    for (const res of this.clients) res.write(text);
  }
}
