import polylineCodec from '@googlemaps/polyline-codec';

/**
 * Google's encoded polyline format (precision 5, about a metre): ~8 characters a point,
 * text that SQLite and JSON keep as it is. The reference implementation by the format's
 * owner does the work.
 */
const PRECISION = 5;

export type LatLon = readonly [lat: number, lon: number];

export function encodePolyline(points: ReadonlyArray<LatLon>): string {
  return polylineCodec.encode(points as Array<[number, number]>, PRECISION);
}

/** Points of an encoded polyline; [] for anything that is not one (the journal is data, not trust). */
export function decodePolyline(encoded: string | null | undefined): LatLon[] {
  if (!encoded || !/^[\x3f-\x7e]+$/.test(encoded)) return [];
  const points = polylineCodec.decode(encoded, PRECISION);
  return points.every(([lat, lon]) => Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) ? points : [];
}
