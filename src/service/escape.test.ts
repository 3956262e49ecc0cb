import { describe, expect, it } from 'vitest';
import { shellLine, systemdEnvironment, systemdExecArg, systemdPath, systemdPathListItem, xmlText } from './escape.js';

describe('quoting for unit files, plists and shell lines', () => {
  it('leaves plain paths alone and quotes the rest for ExecStart, escaping specifiers and variables', () => {
    expect(systemdExecArg('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdExecArg('/opt/my apps/node')).toBe('"/opt/my apps/node"');
    expect(systemdExecArg('/home/a%b/$HOME/x')).toBe('/home/a%%b/$$HOME/x');
    expect(systemdExecArg('/tmp/say "hi"\\')).toBe('"/tmp/say \\"hi\\"\\\\"');
  });

  it('writes Environment= assignments quoted, with specifiers escaped', () => {
    expect(systemdEnvironment('XDG_STATE_HOME', '/home/a b/100%')).toBe('Environment="XDG_STATE_HOME=/home/a b/100%%"');
  });

  it('quotes list items only when needed and never lets a newline end a directive', () => {
    expect(systemdPathListItem('/home/u/.local/state/mmt-sync')).toBe('/home/u/.local/state/mmt-sync');
    expect(systemdPathListItem('/home/u/my state')).toBe('"/home/u/my state"');
    expect(systemdPath('/media/%u')).toBe('/media/%%u');
    expect(() => systemdExecArg('/tmp/x\nExecStartPre=/bin/evil')).toThrow(/control characters/);
    expect(() => systemdPathListItem('/tmp/x\u0000')).toThrow(/control characters/);
  });

  it('escapes XML text and shell words', () => {
    expect(xmlText('a<b>&"c"')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(shellLine(['sudo', 'install', '/opt/it\'s here/x.rules'])).toBe(`sudo install '/opt/it'\\''s here/x.rules'`);
  });
});
