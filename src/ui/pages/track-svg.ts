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
  // One decimal is a tenth of a pixel: enough, and the path stays short. A page draws 50
  // tracks of 200 points: no arrays or closures per point.
  const x = (lon: number) => Math.round((offsetX + (lon - minLon) * cosLat * scale) * 10) / 10;
  const y = (lat: number) => Math.round((offsetY + (maxLat - lat) * scale) * 10) / 10;
  let path = '';
  for (let i = 0; i < points.length; i++) {
    const [lat, lon] = points[i]!;
    path += `${i ? 'L' : 'M'}${x(lon)} ${y(lat)}`;
  }
  const [firstLat, firstLon] = points[0]!;
  const [lastLat, lastLon] = points[points.length - 1]!;
  const [sx, sy, ex, ey] = [x(firstLon), y(firstLat), x(lastLon), y(lastLat)];
  return html`<svg class="${box.className}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${box.label}"><path class="track-line" d="${trusted(path)}"/><circle class="track-start" cx="${sx}" cy="${sy}" r="${Math.max(2.5, width / 80)}"/><circle class="track-end" cx="${ex}" cy="${ey}" r="${Math.max(2.5, width / 80)}"/></svg>`;
}
