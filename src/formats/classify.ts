import type { Activity, FileFormat } from './activity.js';
import { emptiness } from './empty.js';
import { classifyFit } from './fit/classify.js';
import { classifyGpx } from './gpx/classify.js';
import { classifyTcx } from './tcx/classify.js';

/** Content first (a renamed file is still what it is), then the extension. */
export function sniffFormat(fileName: string, bytes: Uint8Array): FileFormat {
  if (bytes.length >= 12 && bytes[8] === 0x2e && bytes[9] === 0x46 && bytes[10] === 0x49 && bytes[11] === 0x54) return 'fit';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 2048)).replace(/\0/g, '');
  if (/<(\w+:)?gpx[\s>]/.test(head)) return 'gpx';
  if (/<(\w+:)?TrainingCenterDatabase[\s>]/.test(head)) return 'tcx';
  const extension = fileName.toLowerCase().split('.').pop();
  if (extension === 'fit' || extension === 'gpx' || extension === 'tcx') return extension;
  return 'unknown';
}

/** Bytes in, verdict out: the one entry point the intake and `inspect` use. Never throws. */
export function classifyFile(fileName: string, bytes: Uint8Array): Activity {
  const format = sniffFormat(fileName, bytes);
  const empty = emptiness(bytes);
  if (empty) return { format, kind: 'empty', points: 0, positions: 0, problems: [], verdict: 'skip', reason: empty };
  switch (format) {
    case 'fit':
      return classifyFit(bytes);
    case 'gpx':
      return classifyGpx(bytes);
    case 'tcx':
      return classifyTcx(bytes);
    default:
      return {
        format: 'unknown',
        kind: 'unknown',
        points: 0,
        positions: 0,
        problems: [],
        verdict: 'skip',
        reason: 'not an activity file (neither FIT, GPX nor TCX)',
      };
  }
}

