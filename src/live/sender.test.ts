import { describe, expect, it } from 'vitest';
import { batchData } from './sender.js';
import { formatStatus } from './status-line.js';
import { liveTitle } from './title.js';

describe('batchData', () => {
  it('writes the contract shape: integer Unix seconds twice, ele only when known, heart rates in their own array', () => {
    const t = Date.UTC(2024, 4, 1, 6, 30);
    const data = JSON.parse(
      batchData([
        { seq: 1, lat: 51.5, lon: -0.16, ele: 28.3, timeMs: t + 999, hr: 141 },
        { seq: 2, lat: 51.6, lon: -0.17, timeMs: t + 1000 },
      ]),
    );
    expect(data).toEqual({
      loc: [
        { lat: 51.5, lon: -0.16, ele: 28.3, timestamp: t / 1000, unix_timestamp: t / 1000 },
        { lat: 51.6, lon: -0.17, timestamp: t / 1000 + 1, unix_timestamp: t / 1000 + 1 },
      ],
      hr: [{ hr: 141, timestamp: t / 1000, unix_timestamp: t / 1000 }],
    });
    expect(JSON.parse(batchData([{ seq: 1, lat: 1, lon: 2, timeMs: t }]))).not.toHaveProperty('hr');
  });
});

describe('liveTitle and formatStatus', () => {
  const start = new Date(2024, 4, 1, 6, 30);

  it('titles a session from the upload template, with the start time so two sessions of a day differ', () => {
    expect(liveTitle('{sport} {date}', 'running', { kind: 'gpsd', host: 'localhost', port: 2947 }, start)).toBe('Running 2024-05-01 06:30');
    expect(liveTitle('{file} at {time}', 'cycling', { kind: 'file', path: '/x/ride.gpx' }, start)).toBe('ride.gpx at 06:30');
  });

  it('shows sent, buffered, the age of the last fix and the activity on one line', () => {
    const now = Date.now();
    expect(formatStatus({ phase: 'connecting', activityId: null, received: 0, sent: 0, buffered: 0 }, now)).toBe(
      'live · activity not started · 0 sent · 0 buffered · no fix yet',
    );
    expect(
      formatStatus({ phase: 'finishing', activityId: '17', received: 612, sent: 600, buffered: 12, lastFixAt: now - 3_000, retrying: 'HTTP 503' }, now),
    ).toBe('live · activity 17 · 600 sent · 12 buffered · last fix 3 s ago · finishing · retrying: HTTP 503');
  });
});
