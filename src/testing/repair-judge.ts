/**
 * Judges what the classifier would upload for a damaged FIT file against the reference
 * decoders: the repaired file decodes without an error in @garmin/fitsdk and in
 * fit-file-parser, is itself a complete activity with the same identity and type, and
 * every message it keeps is, value for value, the SDK's decode of the damaged original:
 * - up to the damage, the SDK's own decode of the damaged file, which must all be kept
 *   but for the garbled messages the reason owns up to;
 * - after it (what resynchronisation recovered, where the SDK gives up), the SDK's
 *   decode of each message's own bytes, where our reader found them (sdkDecodeLogged).
 * Only a rebuilt summary (lap, session, activity at the end) may be new, and only when
 * the reason says it was rebuilt. Returns what is wrong; empty when nothing is.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Activity } from '../formats/activity.js';
import { classifyFit } from '../formats/fit/classify.js';
import { MessageLog } from '../formats/fit/message-log.js';
import { scanFit } from '../formats/fit/scan.js';
import { parseWithFitFileParser, sdkDecode, sdkDecodeLogged, type ReferenceMessage } from './fit-reference.js';

export interface Judgement {
  readonly activity: Activity;
  readonly problems: string[];
}

const SUMMARY = new Set([18, 19, 34]); // session, lap, activity
const RECORD = 20;
const FIELD_DESCRIPTION = 206;
const DEVELOPER_DATA = new Set([FIELD_DESCRIPTION, 207]);

export async function judgeRepair(damaged: Uint8Array): Promise<Judgement> {
  const activity = classifyFit(damaged);
  const problems: string[] = [];
  if (activity.verdict === 'upload') problems.push('damage not noticed: uploaded as it is');
  const repaired = activity.repaired;
  if (activity.verdict !== 'repair' || !repaired) return { activity, problems };
  if (repaired.format !== 'fit') {
    problems.push(`repaired as ${repaired.format}, not FIT`);
    return { activity, problems };
  }
  const out = repaired.bytes;
  const isPrefix = out.length <= damaged.length && out.every((b, i) => b === damaged[i]);
  if (isPrefix) return { activity, problems }; // the intact first file of a chain, as it is

  const decoded = sdkDecode(out);
  if (decoded.errors.length) problems.push(`@garmin/fitsdk: ${decoded.errors.join('; ')}`);
  if (!decoded.integrity) problems.push('@garmin/fitsdk: integrity check fails');
  let parsed;
  try {
    parsed = await parseWithFitFileParser(out);
  } catch (error) {
    problems.push(`fit-file-parser: ${String(error)}`);
  }
  const again = classifyFit(out);
  if (again.verdict !== 'upload') problems.push(`the repaired file is itself judged ${again.verdict}: ${again.reason}`);
  if (again.identity !== activity.identity) problems.push(`identity ${again.identity} instead of ${activity.identity}`);
  if (again.activityType !== activity.activityType) problems.push(`activity type ${again.activityType} instead of ${activity.activityType}`);

  const prefix = sdkDecode(damaged).messages;
  const keptDeveloperData = decoded.messages.filter((m) => DEVELOPER_DATA.has(m.num));
  const { unmatched, skipped } = match(decoded.messages, prefix, new LoggedDecodes(damaged, keptDeveloperData));
  // Left out of what decodes before the damage (so of any message type): only the garbled messages the reason owns
  // up to, and a message that runs past the end of the data (the SDK reads on into the CRC; ours does not).
  const garbled = Number(/(\d+) garbled messages? left out/.exec(activity.reason)?.[1] ?? 0);
  const overrun = activity.reason.includes('runs past the end of the data') ? 1 : 0;
  if (skipped > garbled + overrun) problems.push(`${skipped} messages that decode before the damage are missing (${garbled} garbled ones said)`);
  const rebuilt = activity.reason.includes('summary rebuilt from records') || activity.reason.includes('activity message rebuilt');
  const extra = unmatched.filter((m) => !(rebuilt && SUMMARY.has(m.message.num) && m.index >= decoded.messages.length - 3));
  for (const m of extra.slice(0, 3)) problems.push(`message #${m.index} (global ${m.message.num}) is not in the original: ${JSON.stringify(m.message.fields).slice(0, 200)}`);
  if (rebuilt && unmatched.length === 0) problems.push("the reason says a summary was rebuilt, but every message is the original's");

  const records = decoded.messages.filter((m) => m.num === RECORD).length;
  if (parsed && parsed.records.length !== records) problems.push(`fit-file-parser reads ${parsed.records.length} records, the SDK ${records}`);
  if (records !== scanFit(out).records) problems.push('our reader and the SDK disagree on the records of the repaired file');
  return { activity, problems };
}

interface Unmatched {
  readonly index: number;
  readonly message: ReferenceMessage;
}

/**
 * The output's messages in order against the damaged file's SDK decode (some of which
 * may be left out as garbled), then against the messages our reader found after it.
 * What matches neither is returned, with how many of the SDK's messages are missing.
 */
function match(out: readonly ReferenceMessage[], prefix: readonly ReferenceMessage[], logged: LoggedDecodes): { readonly unmatched: Unmatched[]; readonly skipped: number } {
  const unmatched: Unmatched[] = [];
  let i = 0;
  let skipped = 0;
  for (let j = 0; j < prefix.length; j++) {
    if (i < out.length && same(out[i]!, prefix[j]!)) i++;
    else skipped++;
  }
  // out[i] is at least the i-th message our reader kept.
  let k = i;
  for (; i < out.length; i++) {
    const found = logged.find(out[i]!, k);
    if (found < 0) unmatched.push({ index: i, message: out[i]! });
    else k = found + 1;
  }
  return { unmatched, skipped };
}

/** The SDK's decode of each message our reader found, made in batches when first asked for. */
class LoggedDecodes {
  private static readonly BATCH = 128;
  private readonly log = new MessageLog();
  private readonly cache = new Map<number, ReferenceMessage | undefined>();

  /** `developerData`: the developer data messages the repaired file declares, the context its developer fields decode in. */
  constructor(
    private readonly damaged: Uint8Array,
    private readonly developerData: readonly ReferenceMessage[],
  ) {
    scanFit(damaged, { sink: this.log });
  }

  /** The first entry from `from` on that decodes to `message`, or -1. */
  find(message: ReferenceMessage, from: number): number {
    for (let q = from; q < this.log.length; q++) {
      if (!this.cache.has(q)) {
        const to = Math.min(this.log.length, q + LoggedDecodes.BATCH);
        const kept = (m: ReferenceMessage): boolean => this.developerData.some((d) => same(d, m));
        sdkDecodeLogged(this.damaged, this.log, q, to, kept).forEach((decoded, k) => this.cache.set(q + k, decoded));
      }
      const reference = this.cache.get(q);
      if (!reference) continue;
      // A compressed-timestamp message without a timestamp field of its own: the repair added the time it decoded to.
      const stamped = (this.log.flags[q]! & MessageLog.COMPRESSED) !== 0 && this.log.definitionOf(q).tsOff < 0;
      const compared = stamped ? withoutTimestamp(message) : message;
      if (same(compared, reference)) return q;
    }
    return -1;
  }
}

/**
 * Equal as decoded values. The SDK numbers developer fields by the order of the field
 * descriptions it has seen (its "key", not a value in the file): a repair that leaves out a
 * garbled description shifts the numbers, not the values, so they are compared in order.
 */
function same(a: ReferenceMessage, b: ReferenceMessage): boolean {
  return isDeepStrictEqual(comparable(a), comparable(b));
}

function comparable(message: ReferenceMessage): ReferenceMessage {
  const { key: _, developerFields, ...fields } = message.fields;
  const keep = message.num === FIELD_DESCRIPTION ? fields : { ...fields, ...(message.fields['key'] !== undefined && { key: message.fields['key'] }) };
  if (developerFields === undefined) return { num: message.num, fields: keep };
  const values = Object.entries(developerFields as Record<string, unknown>).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  return { num: message.num, fields: { ...keep, developerFields: values } };
}

/** Without field 253, named "timestamp" in the profile's messages and "253" in unknown ones. */
function withoutTimestamp(message: ReferenceMessage): ReferenceMessage {
  const { timestamp: _, 253: __, ...fields } = message.fields;
  return { num: message.num, fields };
}
