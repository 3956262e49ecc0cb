import { activityUrl } from '../../api/activity-url.js';
import { decodePolyline } from '../../formats/polyline/codec.js';
import { TrackSketch } from '../../formats/polyline/sketch.js';
import type { LiveSession } from '../../live/buffer.js';
import { haversineM } from '../../formats/xml/track-summary.js';
import { distance, duration, relative, sportLabel, time } from './format.js';
import { html, type Html } from './html.js';
import type { Page, PageEnv } from './layout.js';
import { trackSvg } from './track-svg.js';

const STATE_TEXT: Record<LiveSession['state'], string> = {
  recording: 'live now',
  finishing: 'finishing: sending the last points',
  stopped: 'stopped',
  failed: 'failed',
};

interface SoFar {
  readonly outline: string | undefined;
  readonly metres: number;
  readonly seconds: number | undefined;
}

function sessionFacts(session: LiveSession, soFar: SoFar, env: PageEnv): Html {
  const link = session.activityId
    ? html`<a class="mmt" href="${activityUrl(env.config.api.activityUrl, session.activityId)}" target="_blank" rel="noopener noreferrer">Map My Tracks activity ${session.activityId}<span class="sr-only"> (opens in a new tab)</span></a>`
    : html`not started on Map My Tracks yet`;
  return html`<dl class="facts-list">
<dt>State</dt><dd><span class="badge live-${session.state}">${STATE_TEXT[session.state]}</span>${session.error ? html` <span class="bad">${session.error}</span>` : ''}</dd>
<dt>Points sent</dt><dd><strong class="points-sent">${session.sent}</strong> of ${session.received} taken${session.received > session.sent ? html` (${session.received - session.sent} buffered)` : ''}</dd>
${soFar.seconds !== undefined ? html`<dt>So far</dt><dd>${distance(soFar.metres, env.units)} in ${duration(soFar.seconds)}</dd>` : ''}
<dt>Last fix</dt><dd>${session.lastPointMs ? html`${time(session.lastPointMs, env.locale, 'time')} (${relative(session.lastPointMs, env.now)})` : '—'}</dd>
<dt>Started</dt><dd>${time(session.createdAt, env.locale)}</dd>
<dt>Type</dt><dd>${sportLabel(session.activityType, null)}, ${session.status}</dd>
<dt>Source</dt><dd class="mono small">${session.source}</dd>
<dt>On the site</dt><dd>${link}</dd>
</dl>`;
}

/** The live session: what was sent and the track so far, updated as points arrive. */
export async function livePage(env: PageEnv): Promise<Page> {
  const found = env.data.live((buffer) => {
    const session = buffer?.latest();
    if (!session) return undefined;
    const sketch = new TrackSketch();
    let metres = 0;
    let first: { lat: number; lon: number; time_ms: number } | undefined;
    let last: { lat: number; lon: number; time_ms: number } | undefined;
    for (const p of buffer!.positions(session.id)) {
      sketch.add(p.lat, p.lon);
      if (last) metres += haversineM(last.lat, last.lon, p.lat, p.lon);
      first ??= p;
      last = p;
    }
    const soFar: SoFar = { outline: sketch.finish(), metres, seconds: first && last ? (last.time_ms - first.time_ms) / 1000 : undefined };
    return { session, soFar };
  });
  if (!found) {
    return {
      title: 'Live',
      section: 'live',
      main: html`<h1>Live</h1><p>No live activity yet. Start one with <code>mmt-sync live --gpsd</code> or <code>mmt-sync live --follow track.gpx</code>; it shows here as it is sent.</p>`,
    };
  }
  const { session, soFar } = found;
  const outline = soFar.outline;
  const open = session.state === 'recording' || session.state === 'finishing';
  const drawing = outline
    ? trackSvg(decodePolyline(outline), { width: 800, height: 520, className: 'track large', label: `Track so far of ${session.title}` })
    : html`<p class="hint">${open ? 'The track appears with the first fixes.' : 'A stopped session keeps no points here; the track is on Map My Tracks.'}</p>`;
  return {
    title: open ? `Live: ${session.title}` : 'Live',
    section: 'live',
    main: html`<h1>Live${open ? '' : html` <span class="count">last session</span>`}</h1>
<article class="live" aria-labelledby="live-h"><h2 id="live-h">${session.title}</h2>
<div class="split"><figure class="drawing">${drawing}</figure>${sessionFacts(session, soFar, env)}</div></article>`,
  };
}
