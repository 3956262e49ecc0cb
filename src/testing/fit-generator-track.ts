/**
 * What a generated activity records second by second: a smooth closed loop (or, indoors,
 * just the distance a treadmill, trainer or pool would count), heart rate, cadence and
 * power that drift like real ones. Seeded: the same options give the same numbers.
 */
export type GeneratedSport = 'running' | 'cycling' | 'walking' | 'hiking' | 'swimming';

/** Typical pace, heart rate, cadence and power of each sport. */
export const PROFILE: Record<GeneratedSport, { speed: number; hr: number; cadence: number; power: number }> = {
  running: { speed: 2.9, hr: 148, cadence: 84, power: 245 },
  cycling: { speed: 7.5, hr: 132, cadence: 88, power: 190 },
  walking: { speed: 1.4, hr: 104, cadence: 56, power: 90 },
  hiking: { speed: 1.1, hr: 118, cadence: 50, power: 110 },
  swimming: { speed: 0.9, hr: 128, cadence: 28, power: 0 },
};

export interface TrackOptions {
  readonly sport: GeneratedSport;
  readonly seed: number;
  readonly lat: number;
  readonly lon: number;
  readonly recordIntervalS: number;
}

export interface LoopTrack {
  readonly lat: Int32Array;
  readonly lon: Int32Array;
  /** Metres. */
  readonly altitude: Float64Array;
  readonly distance: Float64Array;
  /** m/s. */
  readonly speed: Float64Array;
  readonly hr: Uint8Array;
  readonly cadence: Uint8Array;
  /** Watts. */
  readonly power: Uint16Array;
}

/**
 * A smooth closed loop around (lat, lon), run at a pace that drifts like a real one;
 * a long activity goes round it several times. Elevation depends on the place, so laps agree.
 */
export function loopTrack(o: TrackOptions, count: number): LoopTrack {
  const random = mulberry32(o.seed);
  const phase = (): number => random() * 2 * Math.PI;
  const [p1, p2, p3, p4, q1, q2, q3, q4, theta0] = [phase(), phase(), phase(), phase(), phase(), phase(), phase(), phase(), phase()];
  const sport = PROFILE[o.sport];
  const pace = sport.speed * (0.9 + 0.2 * random());
  const circumference = Math.min(6000, Math.max(400, pace * count * o.recordIntervalS));
  const radius = circumference / (2 * Math.PI);
  const metresPerDegLat = 111_320;
  const metresPerDegLon = metresPerDegLat * Math.cos((o.lat * Math.PI) / 180);
  const toSemicircles = 2 ** 31 / 180;

  const t: LoopTrack = {
    lat: new Int32Array(count),
    lon: new Int32Array(count),
    altitude: new Float64Array(count),
    distance: new Float64Array(count),
    speed: new Float64Array(count),
    hr: new Uint8Array(count),
    cadence: new Uint8Array(count),
    power: new Uint16Array(count),
  };
  let distance = 0;
  for (let i = 0; i < count; i++) {
    const s = i * o.recordIntervalS;
    const speed = pace * (1 + 0.12 * Math.sin((2 * Math.PI * s) / 420 + q1) + 0.05 * Math.sin((2 * Math.PI * s) / 97 + q2));
    if (i > 0) distance += speed * o.recordIntervalS;
    const theta = theta0 + (2 * Math.PI * distance) / circumference;
    const r = radius * (1 + 0.12 * Math.sin(2 * theta + p1) + 0.06 * Math.sin(3 * theta + p2));
    t.lat[i] = Math.round((o.lat + (r * Math.sin(theta)) / metresPerDegLat) * toSemicircles);
    t.lon[i] = Math.round((o.lon + (r * Math.cos(theta)) / metresPerDegLon) * toSemicircles);
    t.altitude[i] = 40 + 15 * Math.sin(theta + p3) + 4 * Math.sin(3 * theta + p4);
    t.distance[i] = distance;
    t.speed[i] = speed;
    const warmUp = Math.min(1, s / 600);
    const hr = sport.hr - 30 * (1 - warmUp) + 8 * Math.sin((2 * Math.PI * s) / 900 + q3) + 40 * (speed / pace - 1);
    t.hr[i] = Math.round(Math.min(195, Math.max(60, hr)));
    t.cadence[i] = Math.round(sport.cadence + 3 * Math.sin((2 * Math.PI * s) / 60 + q4));
    t.power[i] = Math.round(sport.power * (speed / pace) ** 2);
  }
  return t;
}

/** A small seeded PRNG (mulberry32), so a seed always gives the same file. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
