import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from './nearest.js';

describe('nearest', () => {
  it('counts a swap of two neighbours as one edit, ignoring case', () => {
    expect(editDistance('uplaod', 'upload')).toBe(1);
    expect(editDistance('clientID', 'clientId')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests what a typo most likely meant', () => {
    const keys = ['status', 'defaultActivityType', 'nameTemplate', 'concurrency'];
    expect(nearest('concurency', keys)).toBe('concurrency');
    expect(nearest('stauts', keys)).toBe('status');
    expect(nearest('nametemplate', keys)).toBe('nameTemplate');
    expect(nearest('settleSeconds', ['settleS', 'maxFileMB'])).toBe('settleS');
  });

  it('suggests nothing for a word that is not near any', () => {
    expect(nearest('foo', ['api', 'auth', 'log', 'notify'])).toBeUndefined();
    expect(nearest('colour', ['status', 'concurrency'])).toBeUndefined();
  });
});
