import { describe, expect, it } from 'vitest';
import { requestDeadline } from './deadline.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The event loop does not run: what a suspended or SIGSTOPped process looks like to its timers. */
function freeze(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: no timer can fire
  }
}

describe('requestDeadline', () => {
  it('ends a request on time when the process ran all along', async () => {
    const deadline = requestDeadline(100, 300);
    await sleep(50);
    expect(deadline.expired()).toBe(false);
    await sleep(250);
    expect(deadline.expired()).toBe(true);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('gives a request that outlived a freeze a grace to read what arrived meanwhile, then ends it', async () => {
    const deadline = requestDeadline(100, 400);
    freeze(1_300);
    await sleep(50);
    expect(deadline.expired()).toBe(false);
    await sleep(600);
    expect(deadline.expired()).toBe(true);
  });

  it('clear() stops it', async () => {
    const deadline = requestDeadline(50, 50);
    deadline.clear();
    await sleep(150);
    expect(deadline.expired()).toBe(false);
  });
});
