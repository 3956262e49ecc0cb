/**
 * POST {base}uploadActivity: stores a GPX, FIT or TCX file once per account.
 * The same bytes again answer "exists" with the first activity's id, which is
 * what lets a client recover from a reply it never received.
 */
import { sha256Hex } from './crypto.js';
import { ParamError } from './errors.js';
import type { FileActivity, FileFormat } from './model.js';
import type { FieldSpec, MultipartForm } from './multipart.js';
import { activityType, text, visibility } from './params.js';
import type { SandboxStore } from './store.js';

const FN = 'uploadActivity';

export const UPLOAD_FIELDS: FieldSpec = { fn: FN, fields: ['status', 'activity_type', 'activity_name'], fileField: 'file' };

export interface UploadReply {
  readonly function: 'uploadActivity';
  readonly activity_id: number;
  readonly status: 'created' | 'exists';
}

export async function handleUpload(form: MultipartForm, account: string, store: SandboxStore): Promise<UploadReply> {
  const status = visibility(FN, form);
  const bytes = form.file?.bytes;
  if (bytes === undefined) throw new ParamError(FN, 'missing file');
  if (bytes.length === 0) throw new ParamError(FN, 'empty file');
  const format = detectFormat(bytes);
  if (!format) throw new ParamError(FN, 'unsupported file: expected GPX, FIT or TCX');
  // FIT files say what sport they are; GPX and TCX need the client to tell.
  const type = activityType(FN, form, format !== 'fit') ?? null;
  if (!hasPoints(format, bytes)) throw new ParamError(FN, 'no points');

  const sha256 = sha256Hex(bytes);
  const existing = store.findByContent(account, sha256);
  if (existing) return { function: FN, activity_id: existing.id, status: 'exists' };

  const activity: FileActivity = {
    kind: 'file',
    id: store.allocateActivityId(),
    account,
    name: text(form, 'activity_name') ?? null,
    type,
    status,
    receivedAt: new Date().toISOString(),
    format,
    bytes: bytes.length,
    sha256,
  };
  await store.addFileActivity(activity, bytes);
  return { function: FN, activity_id: activity.id, status: 'created' };
}

/** By content, never by file name: a FIT file carries ".FIT" at bytes 8..11 of its header. */
export function detectFormat(bytes: Buffer): FileFormat | undefined {
  if (bytes.length >= 12 && bytes.toString('latin1', 8, 12) === '.FIT') return 'fit';
  // XML declarations, comments and a BOM can precede the root element; 64 KB is plenty.
  const head = bytes.subarray(0, 64 * 1024).toString('utf8');
  if (/<(?:\w+:)?TrainingCenterDatabase[\s>]/.test(head)) return 'tcx';
  if (/<(?:\w+:)?gpx[\s>]/.test(head)) return 'gpx';
  return undefined;
}

/**
 * v1 refused a track without points. A cheap look, not a parse: GPX track or
 * route points, TCX trackpoints, a FIT file with anything after its header
 * (the header's own size field is not trusted: devices that crash leave 0 there).
 */
function hasPoints(format: FileFormat, bytes: Buffer): boolean {
  if (format === 'fit') return bytes.length > Math.max(12, bytes[0] ?? 0);
  const xml = bytes.toString('utf8');
  return format === 'gpx' ? /<(?:\w+:)?(?:trkpt|rtept)[\s>/]/.test(xml) : /<(?:\w+:)?Trackpoint[\s>]/.test(xml);
}
