import { activityUrl } from '../../api/activity-url.js';
import { decodePolyline } from '../../formats/polyline/codec.js';
import { TrackSketch } from '../../formats/polyline/sketch.js';
import type { LiveSession } from '../../live/buffer.js';
import { relative, sportLabel, time } from './format.js';
import { html, type Html } from './html.js';
import type { Page, PageEnv } from './layout.js';
import { trackSvg } from './track-svg.js';

const STATE_TEXT: Record<LiveSession['state'], string> = {
  recording: 'live now',
  finishing: 'finishing: sending the last points',
  stopped: 'stopped',
  failed: 'failed',
};

function sessionFacts(session: LiveSession, env: PageEnv): Html {
  const link = session.activityId
    ? html`<a class="mmt" href="${activityUrl(env.config.api.activityUrl, session.activityId)}" target="_blank" rel="noopener noreferrer">Map My Tracks activity ${session.activityId}<span class="sr-only"> (opens in a new tab)</span></a>`
    : html`not started on Map My Tracks yet`;
  return html`<dl class="facts-list">
<dt>State</dt><dd><span class="badge live-${session.state}">${STATE_TEXT[session.state]}</span>${session.error ? html` <span class="bad">${session.error}</span>` : ''}</dd>
<dt>Points sent</dt><dd><strong class="points-sent">${session.sent}</strong> of ${session.received} taken${session.received > session.sent ? html` (${session.received - session.sent} buffered)` : ''}</dd>
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
    for (const p of buffer!.positions(session.id)) sketch.add(p.lat, p.lon);
    return { session, outline: sketch.finish() };
  });
  if (!found) {
    return {
      title: 'Live',
      section: 'live',
      main: html`<h1>Live</h1><p>No live activity yet. Start one with <code>mmt-sync live --gpsd</code> or <code>mmt-sync live --follow track.gpx</code>; it shows here as it is sent.</p>`,
    };
  }
  const { session, outline } = found;
  const open = session.state === 'recording' || session.state === 'finishing';
  const drawing = outline
    ? trackSvg(decodePolyline(outline), { width: 800, height: 520, className: 'track large', label: `Track so far of ${session.title}` })
    : html`<p class="hint">${open ? 'The track appears with the first fixes.' : 'A stopped session keeps no points here; the track is on Map My Tracks.'}</p>`;
  return {
    title: open ? `Live: ${session.title}` : 'Live',
    section: 'live',
    main: html`<h1>Live${open ? '' : html` <span class="count">last session</span>`}</h1>
<article class="live" aria-labelledby="live-h"><h2 id="live-h">${session.title}</h2>
<div class="split"><figure class="drawing">${drawing}</figure>${sessionFacts(session, env)}</div></article>`,
  };
}
