import { describe, expect, it } from 'vitest';
import { activityUrl } from '../../api/activity-url.js';
import { distance, duration, paceOrSpeed, unitsFor } from './format.js';
import { html } from './html.js';
import { trackSvg } from './track-svg.js';

describe('page building blocks', () => {
  it('escapes everything that comes from files and servers', () => {
    const name = `<img src=x onerror="alert(1)">&'`;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;</p>',
    );
    expect(html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.text).toBe('<ul>&lt;a&gt;<li>ok</li></ul>');
  });

  it('picks km or mi by the browser choice, then the config, then the language region', () => {
    expect(unitsFor(undefined, 'auto', 'en-US,en;q=0.9')).toBe('mi');
    expect(unitsFor(undefined, 'auto', 'de-DE,de;q=0.9')).toBe('km');
    expect(unitsFor(undefined, 'auto', 'en-GB')).toBe('km');
    expect(unitsFor(undefined, 'auto', undefined)).toBe('km');
    expect(unitsFor(undefined, 'mi', 'de-DE')).toBe('mi');
    expect(unitsFor('km', 'mi', 'en-US')).toBe('km');
    expect(unitsFor('furlongs', 'auto', 'en-US')).toBe('mi');
  });

  it('says distances, durations, pace and speed the way athletes read them', () => {
    expect(distance(10_000, 'km')).toBe('10.0 km');
    expect(distance(5_000, 'km')).toBe('5.00 km');
    expect(distance(1609.344, 'mi')).toBe('1.00 mi');
    expect(distance(null, 'km')).toBe('—');
    expect(duration(3723)).toBe('1:02:03');
    expect(duration(59)).toBe('0:59');
    expect(paceOrSpeed(10_000, 3000, 'running', 'km')).toBe('5:00 /km');
    expect(paceOrSpeed(30_000, 3600, 'cycling', 'km')).toBe('30.0 km/h');
    expect(paceOrSpeed(0, 3600, 'cycling', 'km')).toBeUndefined();
  });

  it('draws a track as one path, north up, inside its box; no points, no path', () => {
    const svg = trackSvg(
      [
        [46.0, 14.0],
        [46.01, 14.0],
        [46.01, 14.02],
      ],
      { width: 100, height: 100, label: 'Track of <run>', className: 'track' },
    ).text;
    const d = /d="([^"]+)"/.exec(svg)![1]!;
    const coords = d.split(/[ML]/).filter(Boolean).map((pair) => pair.split(' ').map(Number));
    for (const [x, y] of coords) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(100);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(100);
    }
    expect(coords[1]![1]).toBeLessThan(coords[0]![1]!); // north is up
    expect(coords[2]![0]).toBeGreaterThan(coords[1]![0]!); // east is right
    expect(svg).toContain('aria-label="Track of &lt;run&gt;"');
    expect(trackSvg([], { width: 100, height: 100, label: 'x', className: 'track' }).text).not.toContain('<path');
  });

  it('builds the link to an activity on Map My Tracks from the configured template', () => {
    expect(activityUrl('https://www.mapmytracks.com/explore/activity/{id}', '4711')).toBe('https://www.mapmytracks.com/explore/activity/4711');
    expect(activityUrl('https://example.org/a/{id}?ref=mmt-sync', '1/2')).toBe('https://example.org/a/1%2F2?ref=mmt-sync');
  });
});
