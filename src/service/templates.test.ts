import { describe, expect, it } from 'vitest';
import { fillTemplate } from './templates.js';

describe('fillTemplate', () => {
  it('fills inline placeholders and replaces a placeholder line by a block (or by nothing)', () => {
    const template = 'ExecStart=@EXEC@ watch\n@ENVIRONMENT@\n@EMPTY@\nEnd=1\n';
    expect(fillTemplate(template, { EXEC: '/usr/bin/node', ENVIRONMENT: ['A=1', 'B=2'], EMPTY: [] })).toBe('ExecStart=/usr/bin/node watch\nA=1\nB=2\nEnd=1\n');
  });

  it('refuses a missing value, an unused value and a block inside a line', () => {
    expect(() => fillTemplate('x=@A@', {})).toThrow(/@A@ has no value/);
    expect(() => fillTemplate('x=1', { A: 'a' })).toThrow(/no placeholder @A@/);
    expect(() => fillTemplate('x=@A@ y', { A: ['a'] })).toThrow(/must stand alone/);
  });

  it('leaves udev and unit-name at-signs alone', () => {
    expect(fillTemplate('Wants=mmt-sync-device@%k.service', {})).toBe('Wants=mmt-sync-device@%k.service');
  });
});
