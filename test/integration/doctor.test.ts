import { describe, expect, it } from 'vitest';
import { nodeLineStatus } from '../../src/cli/node-lines.js';
import { makeHome, runCli } from '../helpers/cli.js';

describe('mmt-sync doctor on the Node line it runs on', () => {
  it('reports the line first: a warning with the lines to move to once it is past its end of life, never a failure', async () => {
    const home = makeHome({ baseUrl: 'http://127.0.0.1:9/api3/', clientId: 'c', clientSecret: 's' });
    const result = await runCli(['doctor', '--json'], home.env);
    const [node] = JSON.parse(result.stdout) as Array<{ check: string; ok: boolean; warning?: boolean; detail: string; fix?: string }>;
    const line = nodeLineStatus(process.version);
    expect(node).toMatchObject({ check: 'node', ok: true });
    expect(node!.detail).toContain(process.version);
    if (line.pastEndOfLife) {
      expect(node!.warning).toBe(true);
      expect(node!.detail).toMatch(/reached its end of life on \d{4}-\d{2}-\d{2}: no more security fixes/);
      expect(node!.fix).toMatch(/^install Node \d+(, \d+)*( or \d+)? /);
    } else {
      expect(node!.warning).toBeUndefined();
      expect(node!.detail).toMatch(/supported until \d{4}-\d{2}-\d{2}|^Node v\d+/);
    }
    // The text form marks it "warn", and the line alone never fails doctor.
    const text = await runCli(['doctor'], home.env);
    expect(text.stdout.split('\n')[0]).toMatch(line.pastEndOfLife ? /^warn {2}node: / : /^ok {4}node: /);
    expect(text.stderr).not.toMatch(/failed: .*node/);
  });
});
