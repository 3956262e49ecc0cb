import { describe, expect, it } from 'vitest';
import { clock } from '../present/present.js';
import { closingAdvice, heldBackLine } from './sync-advice.js';

describe('the closing advice of a sync that left something behind', () => {
  const now = Date.parse('2026-05-12T10:30:00Z');

  it('a failed file: `retry ID`, never "run again" (a rerun does not touch it)', () => {
    const text = closingAdvice({ failed: [{ id: 78 }], pending: 0, daemonRunning: false, now });
    expect(text).toBe('1 file failed (the reason is above): `mmt-sync retry 78` sends it again once that is fixed');
    expect(closingAdvice({ failed: [{ id: 1 }, { id: 2 }], pending: 0, daemonRunning: false, now })).toContain('`mmt-sync retry --all` sends them again');
  });

  it('waiting on a rate limit: run again after its end, not before', () => {
    const until = now + 12 * 60_000;
    const text = closingAdvice({ failed: [], pending: 3, wait: { until, why: 'rate limited' }, daemonRunning: false, now });
    expect(text).toBe(`3 uploads still waiting (rate limited; next try ${clock(until)}, in 12 min): run \`mmt-sync sync\` again after ${clock(until)}, or let the daemon send them (\`mmt-sync service install\`)`);
  });

  it('waiting with a daemon running: it sends them, nothing to run', () => {
    const text = closingAdvice({ failed: [], pending: 2, wait: { until: now + 12_000, why: 'server unreachable' }, daemonRunning: true, now });
    expect(text).toBe(`2 uploads still waiting (server unreachable; next try ${clock(now + 12_000)}, in 12 s): the running daemon sends them`);
  });

  it('both: each part says its own remedy', () => {
    const text = closingAdvice({ failed: [{ id: 5 }], pending: 1, daemonRunning: false, now });
    expect(text.split('; ')).toEqual(['1 file failed (the reason is above): `mmt-sync retry 5` sends it again once that is fixed', '1 upload still waiting: run `mmt-sync sync` again later, or let the daemon send them (`mmt-sync service install`)']);
  });

  it('held back: how many, and the command that sends them', () => {
    expect(heldBackLine(312, undefined)).toBe('held back: 312 older files; `mmt-sync sync --since YYYY-MM-DD` sends those from that date on, `--since all` every one');
  });
});
