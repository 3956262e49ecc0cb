/**
 * Map My Tracks activity types (the contract's list) and the mapping from what
 * devices write (FIT sport/sub_sport names, GPX <type>, TCX Sport) onto them.
 */
export const MMT_ACTIVITY_TYPES = [
  'canoeing', 'cross country skiing', 'cycling', 'driving', 'enduro', 'flying', 'gliding',
  'hand cycling', 'hang gliding', 'hiking', 'horse riding', 'hot air ballooning', 'indoor cycling',
  'inline skating', 'jet skiing', 'kayaking', 'kiteboarding', 'miscellaneous', 'motor racing',
  'motorcycling', 'mountain biking', 'mountaineering', 'nordic walking', 'off road driving',
  'orienteering', 'paragliding', 'powerboating', 'rowing', 'running', 'sailing', 'sea kayaking',
  'snowshoeing', 'skateboarding', 'skating', 'skiing', 'snowboarding', 'stand up paddle boarding',
  'swimming', 'walking', 'wheelchair', 'windsurfing',
] as const;

export type MmtActivityType = (typeof MMT_ACTIVITY_TYPES)[number];

const KNOWN = new Set<string>(MMT_ACTIVITY_TYPES);

export function isMmtActivityType(value: string): value is MmtActivityType {
  return KNOWN.has(value);
}

/** FIT sub_sport names that decide the type on their own, whatever the sport. */
const BY_SUB_SPORT: Record<string, MmtActivityType> = {
  mountain: 'mountain biking',
  downhill: 'mountain biking',
  indoor_cycling: 'indoor cycling',
  spin: 'indoor cycling',
  virtual_activity: 'indoor cycling',
  hand_cycling: 'hand cycling',
  hand_cycling_indoor: 'hand cycling',
  trail: 'running',
  indoor_rowing: 'rowing',
  treadmill: 'running',
  sea_kayaking: 'sea kayaking',
  whitewater: 'kayaking',
  backcountry: 'skiing',
  skate_skiing: 'cross country skiing',
  nordic_walking: 'nordic walking',
  orienteering: 'orienteering',
  wheelchair_push_walk: 'wheelchair',
  wheelchair_push_run: 'wheelchair',
  kayaking: 'kayaking',
  canoeing: 'canoeing',
  // Indoor sub-sports with a type of their own in the contract, or the nearest one.
  indoor_running: 'running',
  indoor_walking: 'walking',
  lap_swimming: 'swimming',
  open_water: 'swimming',
  indoor_hand_cycling: 'hand cycling',
  indoor_wheelchair_walk: 'wheelchair',
  indoor_wheelchair_run: 'wheelchair',
};

/** FIT sport names, TCX Sport values and common GPX <type> words. */
const BY_SPORT: Record<string, MmtActivityType> = {
  running: 'running',
  run: 'running',
  trail_running: 'running',
  cycling: 'cycling',
  biking: 'cycling',
  bike: 'cycling',
  ride: 'cycling',
  road_biking: 'cycling',
  e_biking: 'cycling',
  ebikeride: 'cycling',
  virtualride: 'indoor cycling',
  mountain_biking: 'mountain biking',
  mountainbikeride: 'mountain biking',
  walking: 'walking',
  walk: 'walking',
  hiking: 'hiking',
  hike: 'hiking',
  swimming: 'swimming',
  swim: 'swimming',
  open_water_swimming: 'swimming',
  rowing: 'rowing',
  alpine_skiing: 'skiing',
  alpineski: 'skiing',
  skiing: 'skiing',
  cross_country_skiing: 'cross country skiing',
  nordicski: 'cross country skiing',
  snowboarding: 'snowboarding',
  snowboard: 'snowboarding',
  snowshoeing: 'snowshoeing',
  snowshoe: 'snowshoeing',
  mountaineering: 'mountaineering',
  paddling: 'kayaking',
  kayaking: 'kayaking',
  canoeing: 'canoeing',
  stand_up_paddleboarding: 'stand up paddle boarding',
  standuppaddling: 'stand up paddle boarding',
  sailing: 'sailing',
  windsurfing: 'windsurfing',
  windsurf: 'windsurfing',
  kitesurfing: 'kiteboarding',
  kitesurf: 'kiteboarding',
  inline_skating: 'inline skating',
  inlineskate: 'inline skating',
  ice_skating: 'skating',
  iceskate: 'skating',
  skateboarding: 'skateboarding',
  horseback_riding: 'horse riding',
  flying: 'flying',
  hang_gliding: 'hang gliding',
  motorcycling: 'motorcycling',
  driving: 'driving',
  boating: 'powerboating',
  generic: 'miscellaneous',
  other: 'miscellaneous',
  // Gym machines and workouts (elliptical, stair climber, cardio): the contract has no type for them.
  fitness_equipment: 'miscellaneous',
  training: 'miscellaneous',
  multisport: 'miscellaneous',
  transition: 'miscellaneous',
};

/** Strava writes numeric <type> codes into its GPX exports. */
const STRAVA_NUMERIC: Record<string, MmtActivityType> = {
  '1': 'cycling',
  '2': 'skiing',
  '4': 'hiking',
  '9': 'running',
  '10': 'walking',
  '12': 'snowboarding',
  '13': 'snowshoeing',
  '16': 'swimming',
  '17': 'indoor cycling',
  '21': 'kayaking',
  '22': 'rowing',
};

function normalise(word: string): string {
  return word.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/**
 * Without positions, a ride happened on a trainer: the contract's "indoor cycling".
 * Running, walking, swimming and rowing keep their type (a treadmill run is a run, a
 * pool swim is a swim): the contract has no indoor type for them.
 */
const INDOOR: Partial<Record<MmtActivityType, MmtActivityType>> = {
  cycling: 'indoor cycling',
  'mountain biking': 'indoor cycling',
};

export interface Recorded {
  /** Timed records but no positions: an indoor activity. */
  readonly indoor?: boolean;
}

/**
 * The Map My Tracks type for a sport/sub-sport pair, or undefined when the file
 * says nothing we recognise (the caller then applies the configured default).
 */
export function toMmtActivityType(sport?: string, subSport?: string, recorded: Recorded = {}): MmtActivityType | undefined {
  const type = outdoorType(sport, subSport);
  return type !== undefined && recorded.indoor ? (INDOOR[type] ?? type) : type;
}

function outdoorType(sport?: string, subSport?: string): MmtActivityType | undefined {
  if (subSport) {
    const bySub = BY_SUB_SPORT[normalise(subSport)];
    if (bySub) return bySub;
  }
  if (!sport) return undefined;
  const raw = sport.trim().toLowerCase();
  if (isMmtActivityType(raw)) return raw;
  const key = normalise(sport);
  return BY_SPORT[key] ?? BY_SPORT[key.replace(/_/g, '')] ?? STRAVA_NUMERIC[key];
}
