/**
 * The laps and pool lengths of a generated activity: what a device writes at the end of
 * each lap and each length, computed from the records they cover.
 */
import type { LengthMesg } from '@garmin/fitsdk';
import type { LoopTrack } from './fit-generator-track.js';

const FIT_EPOCH_MS = 631_065_600_000;

/** Time, distance and heart rate of records [from, to): a lap that ends one interval after its last record. */
export function lapSummary(track: LoopTrack, from: number, to: number, startTime: number, intervalS: number) {
  const elapsedS = (to - from) * intervalS;
  const distance = track.distance[to - 1]! - (from > 0 ? track.distance[from - 1]! : 0);
  return {
    timestamp: fitDate(startTime + to * intervalS),
    startTime: fitDate(startTime + from * intervalS),
    totalElapsedTime: elapsedS,
    totalTimerTime: elapsedS,
    totalDistance: distance,
    avgHeartRate: Math.round(mean(track.hr.subarray(from, to))),
    avgSpeed: distance / elapsedS,
  };
}

/** The pool lengths swum during records [from, to): one each time the distance passes a multiple of the pool. */
export function poolLengths(track: LoopTrack, from: number, to: number, startTime: number, intervalS: number, poolM: number): Omit<LengthMesg, 'messageIndex'>[] {
  const lengths: Omit<LengthMesg, 'messageIndex'>[] = [];
  let began = from;
  for (let i = from + 1; i < to; i++) {
    if (Math.floor(track.distance[i]! / poolM) === Math.floor(track.distance[i - 1]! / poolM)) continue;
    const seconds = (i - began) * intervalS;
    lengths.push({
      timestamp: fitDate(startTime + i * intervalS),
      startTime: fitDate(startTime + began * intervalS),
      totalElapsedTime: seconds,
      totalTimerTime: seconds,
      totalStrokes: Math.round((mean(track.cadence.subarray(began, i)) * seconds) / 60),
      avgSpeed: poolM / seconds,
      swimStroke: 'freestyle',
      lengthType: 'active',
      event: 'length',
      eventType: 'stop',
    });
    began = i;
  }
  return lengths;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length ? sum / values.length : 0;
}

function fitDate(time: number): Date {
  return new Date(FIT_EPOCH_MS + time * 1000);
}
