/** Valid FIT files that are not activities, for the classifier's "skip" rules. */
import { Encoder, type FileIdMesg, type UserProfileMesg, type WorkoutMesg, type WorkoutStepMesg } from '@garmin/fitsdk';
import { DEFAULT_SERIAL, GARMIN_FENIX_5, MESG, put } from './fit-generator-encode.js';

export interface FitFileOptions {
  /** @default 3912345678 */
  readonly serial?: number;
  /** @default 2024-01-01T00:00:00Z */
  readonly timeCreated?: Date;
}

/** A valid FIT file that is not an activity: a settings file or a workout. */
export function generateFitFile(type: 'settings' | 'workout', opts: FitFileOptions = {}): Uint8Array {
  const encoder = new Encoder();
  put<FileIdMesg>(encoder, {
    mesgNum: MESG.fileId,
    type,
    manufacturer: 'garmin',
    product: GARMIN_FENIX_5,
    serialNumber: opts.serial ?? DEFAULT_SERIAL,
    timeCreated: opts.timeCreated ?? new Date('2024-01-01T00:00:00Z'),
  });
  if (type === 'settings') {
    put<UserProfileMesg>(encoder, {
      mesgNum: MESG.userProfile,
      friendlyName: 'mmt-sync',
      gender: 'female',
      age: 35,
      weight: 62.5,
      restingHeartRate: 52,
      messageIndex: 0,
    });
  } else {
    put<WorkoutMesg>(encoder, {
      mesgNum: MESG.workout,
      sport: 'running',
      numValidSteps: 2,
      wktName: 'Intervals',
    });
    put<WorkoutStepMesg>(encoder, {
      mesgNum: MESG.workoutStep,
      durationType: 'time',
      durationValue: 600_000,
      targetType: 'open',
      intensity: 'warmup',
      messageIndex: 0,
    });
    put<WorkoutStepMesg>(encoder, {
      mesgNum: MESG.workoutStep,
      durationType: 'distance',
      durationValue: 100_000,
      targetType: 'heartRate',
      targetValue: 3,
      intensity: 'active',
      messageIndex: 1,
    });
  }
  return encoder.close();
}
