/**
 * The few numbers of the published FIT protocol and profile that the classifier reads.
 * Everything else in a file is skipped by size, so a profile update never breaks us.
 */

/** Seconds from the Unix epoch to the FIT epoch, 1989-12-31T00:00:00Z. */
export const FIT_EPOCH_UNIX_S = 631_065_600;
/** FIT date_time values below this are seconds since device power-on, not a date. */
export const FIT_MIN_ABSOLUTE_TIME = 0x10000000;

export const MESG_FILE_ID = 0;
export const MESG_SPORT = 12;
export const MESG_SESSION = 18;
export const MESG_LAP = 19;
export const MESG_RECORD = 20;
export const MESG_DEVICE_INFO = 23;
export const MESG_ACTIVITY = 34;
export const MESG_FIELD_DESCRIPTION = 206;
export const MESG_DEVELOPER_DATA_ID = 207;

/** Field 253 is the timestamp in every message that has one. */
export const FIELD_TIMESTAMP = 253;

export const FILE_ID = { type: 0, manufacturer: 1, product: 2, serial: 3, timeCreated: 4, productName: 8 } as const;
export const SPORT = { sport: 0, subSport: 1 } as const;
export const SESSION = {
  startTime: 2,
  sport: 5,
  subSport: 6,
  totalElapsedTime: 7,
  totalTimerTime: 8,
  totalDistance: 9,
} as const;
export const LAP = { startTime: 2, totalElapsedTime: 7, sport: 25, subSport: 39 } as const;
export const ACTIVITY = { totalTimerTime: 0 } as const;
export const FIELD_DESCRIPTION = { developerDataIndex: 0, fieldDefinitionNumber: 1, fitBaseTypeId: 2 } as const;
export const DEVELOPER_DATA_ID = { developerDataIndex: 3 } as const;
export const DEVICE_INFO = { deviceIndex: 0, manufacturer: 2, serial: 3, product: 4, productName: 27 } as const;
export const RECORD = {
  positionLat: 0,
  positionLong: 1,
  altitude: 2,
  heartRate: 3,
  cadence: 4,
  distance: 5,
  enhancedAltitude: 78,
} as const;

/** file_id.type value of an activity file. */
export const FILE_TYPE_ACTIVITY = 4;

/** Scale of session/activity times (ms), distances (cm) and altitude (m * 5, offset 500). */
export const TIME_SCALE = 1000;
export const DISTANCE_SCALE = 100;
export const ALTITUDE_SCALE = 5;
export const ALTITUDE_OFFSET = 500;

/** Degrees per semicircle: 180 / 2^31. */
export const DEGREES_PER_SEMICIRCLE = 180 / 2 ** 31;

/** Base type (low 5 bits of the base type byte) to its size in bytes. */
export const BASE_TYPE_SIZE: readonly number[] = [1, 1, 1, 2, 2, 4, 4, 1, 4, 8, 1, 2, 4, 1, 8, 8, 8];
export const BASE_TYPE_STRING = 7;
