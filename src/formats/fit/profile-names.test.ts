import { Profile } from '@garmin/fitsdk';
import { describe, expect, it } from 'vitest';
import { FILE_TYPE_NAMES, MANUFACTURER_NAMES, SPORT_NAMES, SUB_SPORT_NAMES } from './profile-names.js';

/** The SDK spells profile names in camelCase; the profile itself in snake_case. */
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function fromSdk(type: string): Record<number, string> {
  const names = Profile.types[type] ?? {};
  return Object.fromEntries(Object.entries(names).map(([value, name]) => [Number(value), snake(name)]));
}

describe('profile name tables', () => {
  it.each([
    ['file', FILE_TYPE_NAMES],
    ['sport', SPORT_NAMES],
    ['subSport', SUB_SPORT_NAMES],
    ['manufacturer', MANUFACTURER_NAMES],
  ] as const)('%s matches the FIT profile of @garmin/fitsdk', (type, table) => {
    expect({ ...table }).toEqual(fromSdk(type));
  });
});
