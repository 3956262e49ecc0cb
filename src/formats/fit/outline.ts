import { TrackSketch } from '../polyline/sketch.js';
import { findOutliers, type Track } from './track.js';

const DEGREES_PER_SEMICIRCLE = 180 / 2 ** 31;

/**
 * The drawing outline of a FIT file's positions (see polyline/sketch.ts). A damaged
 * file's garbled points are left out, as they are from its rebuilt GPX.
 */
export function trackOutline(track: Track | undefined, damaged: boolean): { readonly polyline?: string } {
  if (!track || track.length < 2) return {};
  const skip = damaged ? findOutliers(track).mask : undefined;
  const sketch = new TrackSketch();
  for (let i = 0; i < track.length; i++) {
    if (skip?.[i]) continue;
    sketch.add(track.lat[i]! * DEGREES_PER_SEMICIRCLE, track.lon[i]! * DEGREES_PER_SEMICIRCLE);
  }
  const polyline = sketch.finish();
  return polyline ? { polyline } : {};
}
