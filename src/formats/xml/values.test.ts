import { describe, expect, it } from 'vitest';
import { parseDateTime, parseDecimal, parseLatitude, parseLongitude } from './values.js';

const iso = (text: string) => {
  const ms = parseDateTime(text);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};

describe('parseDateTime', () => {
  it('reads the forms GPX and TCX writers use', () => {
    expect(iso('2010-08-05T16:22:52Z')).toBe('2010-08-05T16:22:52.000Z');
    expect(iso(' 2016-05-27T10:08:47.8Z ')).toBe('2016-05-27T10:08:47.800Z');
    expect(iso('1901-12-13T20:45:52.2073437Z')).toBe('1901-12-13T20:45:52.207Z');
    expect(iso('2015-12-11T15:43:13.994+01:00')).toBe('2015-12-11T14:43:13.994Z');
    expect(iso('2015-12-11T15:43:13-0530')).toBe('2015-12-11T21:13:13.000Z');
    expect(iso('2024-03-01 10:00:00Z')).toBe('2024-03-01T10:00:00.000Z');
  });

  it('takes a time without a zone as UTC, not local time', () => {
    expect(iso('2013-01-01T12:00:04')).toBe('2013-01-01T12:00:04.000Z');
  });

  it('refuses what is not a date-time', () => {
    for (const bad of ['', ' ', '05-AUG-10 16:58:37', '2010-02-30T00:00:00Z', '2010-13-01T00:00:00Z', '2010-01-01T25:00:00Z', '2010-01-01', '1899-12-31T00:00:00Z', 'Mon, 01 Jan 2024 10:00:00 GMT', '2010-01-01T00:00:00+15:00']) {
      expect(parseDateTime(bad), bad).toBeUndefined();
    }
    expect(parseDateTime(undefined)).toBeUndefined();
  });
});

describe('parseDecimal and coordinates', () => {
  it('accepts decimals and refuses what Number() would let through', () => {
    expect(parseDecimal(' 45.5 ')).toBe(45.5);
    expect(parseDecimal('-0.000005')).toBe(-0.000005);
    expect(parseDecimal('1e-5')).toBe(0.00001);
    for (const bad of ['', ' ', '0x10', 'Infinity', 'NaN', '1,5', '--1', '1.2.3']) expect(parseDecimal(bad), bad).toBeUndefined();
  });

  it('keeps latitude and longitude in range', () => {
    expect(parseLatitude('90')).toBe(90);
    expect(parseLatitude('90.0001')).toBeUndefined();
    expect(parseLatitude('-91')).toBeUndefined();
    expect(parseLongitude('-180')).toBe(-180);
    expect(parseLongitude('180.5')).toBeUndefined();
    expect(parseLongitude(undefined)).toBeUndefined();
  });
});
