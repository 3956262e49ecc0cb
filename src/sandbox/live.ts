/**
 * startActivity / updateActivity / stopActivity (beta in the contract).
 * One live activity per account, as v1 kept "the activity held in the
 * user's session": starting another stops the previous one. Points are kept
 * in the order they arrived, so a test can see a client that reorders them.
 */
import { z } from 'zod';
import { ParamError } from './errors.js';
import { type HrPoint, HrPointSchema, type LiveActivity, type LocPoint, LocPointSchema } from './model.js';
import type { FieldSpec, MultipartForm } from './multipart.js';
import { activityId, activityType, text, visibility } from './params.js';
import type { SandboxStore } from './store.js';

export const START_FIELDS: FieldSpec = {
  fn: 'startActivity',
  fields: ['status', 'activity_type', 'activity_title', 'tags', 'data'],
};
export const UPDATE_FIELDS: FieldSpec = { fn: 'updateActivity', fields: ['activity_id', 'data'] };
export const STOP_FIELDS: FieldSpec = { fn: 'stopActivity', fields: ['activity_id'] };

/** `hr` is its own array (the doc's `"loc"` around it reads as a typo; see the contract's Decision). */
const LiveDataSchema = z.strictObject({
  loc: z.array(LocPointSchema).optional(),
  hr: z.array(HrPointSchema).optional(),
});

interface LiveData {
  readonly loc: LocPoint[];
  readonly hr: HrPoint[];
}

export async function handleStart(form: MultipartForm, account: string, store: SandboxStore) {
  const fn = START_FIELDS.fn;
  const status = visibility(fn, form);
  const type = activityType(fn, form, false) ?? null;
  const title = text(form, 'activity_title') ?? null;
  const tags = text(form, 'tags') ?? null;
  const data = liveData(fn, form);
  if (data.loc.length === 0) throw new ParamError(fn, 'no points');

  const now = new Date().toISOString();
  const current = liveActivityOf(account, store);
  if (current && title !== null && current.name === title) {
    // "An existing activity of the same title is updated": a client restarting after a crash resumes it.
    current.status = status;
    current.type = type ?? current.type;
    current.tags = tags ?? current.tags;
    append(current, data, now);
    await store.persist();
    return { function: fn, activity_id: current.id };
  }
  if (current) stop(current, now);
  const activity: LiveActivity = {
    kind: 'live',
    id: store.allocateActivityId(),
    account,
    name: title,
    type,
    status,
    receivedAt: now,
    state: 'live',
    tags,
    loc: data.loc,
    hr: data.hr,
    updatedAt: now,
    stoppedAt: null,
  };
  store.activities.set(activity.id, activity);
  await store.persist();
  return { function: fn, activity_id: activity.id };
}

export async function handleUpdate(form: MultipartForm, account: string, store: SandboxStore) {
  const fn = UPDATE_FIELDS.fn;
  const activity = ownLiveActivity(fn, form, account, store);
  if (activity.state !== 'live') throw new ParamError(fn, 'activity already stopped');
  const data = liveData(fn, form);
  if (data.loc.length === 0 && data.hr.length === 0) throw new ParamError(fn, 'no points');
  append(activity, data, new Date().toISOString());
  await store.persist();
  return { function: fn, ok: 1 };
}

/** Stopping twice is not an error: the client may retry a stop whose reply it lost. */
export async function handleStop(form: MultipartForm, account: string, store: SandboxStore) {
  const fn = STOP_FIELDS.fn;
  const activity = ownLiveActivity(fn, form, account, store);
  if (activity.state === 'live') {
    stop(activity, new Date().toISOString());
    await store.persist();
  }
  return { function: fn, ok: 1 };
}

function liveData(fn: string, form: MultipartForm): LiveData {
  const raw = text(form, 'data');
  if (raw === undefined) throw new ParamError(fn, 'missing data');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ParamError(fn, 'invalid data: not JSON');
  }
  const parsed = LiveDataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ParamError(fn, `invalid data${where}: ${issue?.message ?? 'unexpected shape'}`);
  }
  return { loc: parsed.data.loc ?? [], hr: parsed.data.hr ?? [] };
}

/** An id that is not this account's live activity is "unknown": other accounts' ids are not revealed. */
function ownLiveActivity(fn: string, form: MultipartForm, account: string, store: SandboxStore): LiveActivity {
  const activity = store.activities.get(activityId(fn, form));
  if (activity?.kind !== 'live' || activity.account !== account) throw new ParamError(fn, 'unknown activity_id');
  return activity;
}

function liveActivityOf(account: string, store: SandboxStore): LiveActivity | undefined {
  for (const activity of store.activities.values()) {
    if (activity.kind === 'live' && activity.account === account && activity.state === 'live') return activity;
  }
  return undefined;
}

function append(activity: LiveActivity, data: LiveData, now: string): void {
  // A loop, not push(...points): spreading a huge batch overflows the call stack.
  for (const point of data.loc) activity.loc.push(point);
  for (const point of data.hr) activity.hr.push(point);
  activity.updatedAt = now;
}

function stop(activity: LiveActivity, now: string): void {
  activity.state = 'stopped';
  activity.stoppedAt = now;
  activity.updatedAt = now;
}
