import { describe, expect, it } from 'vitest';
import { isRefusalAt200 } from './errors.js';

describe('isRefusalAt200', () => {
  it('is an error with no activity id (missing or empty, as v1 once sent) and no ok', () => {
    expect(isRefusalAt200({ function: 'uploadActivity', error: 'INVALID_ACTIVITY', message: 'invalid activity' })).toBe(true);
    expect(isRefusalAt200({ function: 'startActivity', error: 'PLUS_REQUIRED', activity_id: '' })).toBe(true);
    expect(isRefusalAt200({ error: true })).toBe(true);
  });

  it('is not a success that also carries an error field, nor an empty one', () => {
    expect(isRefusalAt200({ function: 'uploadActivity', activity_id: 7, error: 'WARNING_DUPLICATE_NAME' })).toBe(false);
    expect(isRefusalAt200({ function: 'stopActivity', ok: 1, error: '' })).toBe(false);
    expect(isRefusalAt200({ function: 'uploadActivity', activity_id: 7, status: 'created', error: null })).toBe(false);
  });
});
