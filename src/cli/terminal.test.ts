import { describe, expect, it } from 'vitest';
import { escapesAllowed, progressStyle } from './terminal.js';

describe('terminal manners', () => {
  it('NO_COLOR (any non-empty value) and TERM=dumb turn every escape sequence off', () => {
    expect(escapesAllowed({ TERM: 'xterm-256color' })).toBe(true);
    expect(escapesAllowed({ TERM: 'xterm-256color', NO_COLOR: '1' })).toBe(false);
    expect(escapesAllowed({ TERM: 'xterm-256color', NO_COLOR: '' })).toBe(true);
    expect(escapesAllowed({ TERM: 'dumb' })).toBe(false);
  });

  it('a bar only when both streams are terminals that take escapes; plain lines otherwise', () => {
    expect(progressStyle({ TERM: 'xterm' }, true, true)).toBe('bar');
    expect(progressStyle({ TERM: 'dumb' }, true, true)).toBe('lines');
    expect(progressStyle({ TERM: 'xterm', NO_COLOR: 'yes' }, true, true)).toBe('lines');
    expect(progressStyle({ TERM: 'xterm' }, false, true)).toBe('none');
    expect(progressStyle({ TERM: 'xterm' }, true, false)).toBe('none');
  });
});
