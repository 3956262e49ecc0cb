import type { LatLon } from '../../formats/polyline/codec.js';
import { html, trusted, type Html } from './html.js';

/**
 * A track drawn as an SVG path from its outline: no tiles, no network, nothing but the
 * points the journal keeps. Equirectangular around the middle latitude, north up, fitted
 * into the box with its proportions kept. Colours come from the stylesheet (classes), so
 * the strict CSP needs no inline style.
 */
export function trackSvg(points: readonly LatLon[], box: { width: number; height: number; label: string; className: string }): Html {
  const { width, height } = box;
  if (points.length < 2) {
    return html`<svg class="${box.className} track-none" viewBox="0 0 ${width} ${height}" role="img" aria-label="${box.label}: no GPS track"><text x="${width / 2}" y="${height / 2}" text-anchor="middle" dominant-baseline="middle">no GPS track</text></svg>`;
  }
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  let maxLon = -Infinity;
  for (const [lat, lon] of points) {
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
  }
  const cosLat = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * cosLat, 1e-9);
  const spanY = Math.max(maxLat - minLat, 1e-9);
  const pad = Math.max(4, Math.min(width, height) * 0.08);
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const offsetX = (width - spanX * scale) / 2;
  const offsetY = (height - spanY * scale) / 2;
  const xy = ([lat, lon]: LatLon): [string, string] => [
    (offsetX + (lon - minLon) * cosLat * scale).toFixed(1),
    (offsetY + (maxLat - lat) * scale).toFixed(1),
  ];
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${xy(p).join(' ')}`).join('');
  const [sx, sy] = xy(points[0]!);
  const [ex, ey] = xy(points[points.length - 1]!);
  return html`<svg class="${box.className}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${box.label}"><path class="track-line" d="${trusted(path)}"/><circle class="track-start" cx="${sx}" cy="${sy}" r="${Math.max(2.5, width / 80)}"/><circle class="track-end" cx="${ex}" cy="${ey}" r="${Math.max(2.5, width / 80)}"/></svg>`;
}
