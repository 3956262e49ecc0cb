/** Field checks shared by the data endpoints, each failing with the contract's 403. */
import { isMmtActivityType } from '../formats/activity-types.js';
import { ParamError } from './errors.js';
import { VISIBILITIES, type Visibility } from './model.js';
import type { MultipartForm } from './multipart.js';

/** A text field, with an empty value treated as absent (what HTML forms and PHP do). */
export function text(form: MultipartForm, name: string): string | undefined {
  const value = form.fields.get(name);
  return value === undefined || value === '' ? undefined : value;
}

export function visibility(fn: string, form: MultipartForm): Visibility {
  const value = text(form, 'status');
  if (!(VISIBILITIES as readonly (string | undefined)[]).includes(value)) throw new ParamError(fn, 'invalid status');
  return value as Visibility;
}

/** The contract's list, lowercase and exact: "Running" or "run" is a client bug worth reporting. */
export function activityType(fn: string, form: MultipartForm, required: boolean): string | undefined {
  const value = text(form, 'activity_type');
  if (value === undefined) {
    if (required) throw new ParamError(fn, 'missing activity_type');
    return undefined;
  }
  if (!isMmtActivityType(value)) throw new ParamError(fn, `invalid activity_type: ${value}`);
  return value;
}

/** Activity ids are positive decimal integers, as the service hands them out. */
export function activityId(fn: string, form: MultipartForm): number {
  const value = text(form, 'activity_id');
  if (value === undefined) throw new ParamError(fn, 'missing activity_id');
  if (!/^[1-9][0-9]{0,15}$/.test(value)) throw new ParamError(fn, 'unknown activity_id');
  return Number(value);
}
