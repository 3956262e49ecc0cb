import type { Activity } from '../activity.js';
import { Emptiness } from '../empty.js';
import { createXmlStream, type XmlEvents, type XmlLimits } from './stream.js';
import { TrackSketch } from '../polyline/sketch.js';
import { ContentHash, TrackSummary, type TrackPointSample } from './track-summary.js';

/** A classifier fed in pieces (e.g. straight from a file stream). Never throws. */
export interface StreamingClassifier {
  write(chunk: Uint8Array): void;
  finish(): Activity;
}

export interface TrackFormat<W extends XmlEvents> {
  /** 'GPX' or 'TCX', for the reason when something unexpected happens. */
  readonly label: string;
  readonly makeWalker: (onPoint: (point: TrackPointSample) => void) => W;
  readonly verdict: (summary: TrackSummary, walker: W, hashPrefix: string) => Activity;
  readonly invalid: (reason: string) => Activity;
}

/**
 * The shared shape of the GPX and TCX classifiers: bytes go to the content hash and the
 * safe XML stream, points to a running summary, and the format decides the verdict.
 */
export function createStreamingClassifier<W extends XmlEvents>(format: TrackFormat<W>, limits?: Partial<XmlLimits>): StreamingClassifier {
  const summary = new TrackSummary();
  const hash = new ContentHash();
  const sketch = new TrackSketch();
  const walker = format.makeWalker((p) => {
    summary.add(p);
    if (p.lat !== undefined && p.lon !== undefined) sketch.add(p.lat, p.lon);
  });
  const stream = createXmlStream(walker, limits);
  const empty = new Emptiness();
  let crashed: unknown;

  return {
    write(chunk) {
      if (crashed !== undefined) return;
      try {
        empty.add(chunk);
        hash.update(chunk);
        stream.write(chunk);
      } catch (error) {
        crashed = error;
      }
    },
    finish() {
      try {
        if (crashed !== undefined) throw crashed;
        const emptyReason = empty.reason();
        if (emptyReason) return { ...format.invalid(emptyReason), kind: 'empty' };
        const failure = stream.end();
        if (failure) return format.invalid(failure.reason);
        const activity = format.verdict(summary, walker, hash.prefix());
        const polyline = sketch.finish();
        return polyline ? { ...activity, polyline } : activity;
      } catch (error) {
        // A bug here must not take the pipeline down; the reason says what happened.
        return format.invalid(`${format.label} could not be read: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
