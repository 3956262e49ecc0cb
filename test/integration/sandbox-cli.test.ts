import { describe, expect, it } from 'vitest';
import { basicAuth } from '../../src/auth/oauth-client.js';
import { runCli, startCli } from '../helpers/cli.js';

const env = { PATH: process.env.PATH };

describe('mmt-sync sandbox --quirks', () => {
  it('starts a server with the personalities asked for, says which, and prints the issuer for api.issuer', async () => {
    const cli = startCli(['sandbox', '--port', '0', '--quirks', 'iss,bom', '--client-id', 'demo', '--client-secret', 'de:mo se+cret'], env);
    try {
      const deadline = Date.now() + 15_000;
      while (!/quirk: +bom/.test(cli.output().stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const out = cli.output().stdout;
      const baseUrl = /^sandbox listening: (\S+)$/m.exec(out)![1]!;
      expect(out).toMatch(new RegExp(`^issuer \\(api\\.issuer\\): ${baseUrl.replace(/\/$/, '').replace(/[.]/g, '\\.')}$`, 'm'));
      expect(out).toMatch(/^quirk: +iss: authorization responses carry iss/m);
      expect(out).toMatch(/^quirk: +bom: JSON replies start with a UTF-8 byte order mark/m);
      // The personality is live: a revocation answer (any token) comes behind a BOM.
      const response = await fetch(new URL('oauth/revoke', baseUrl), {
        method: 'POST',
        headers: { Authorization: basicAuth('demo', 'de:mo se+cret'), 'User-Agent': 'mmt-sync/test' },
        body: new URLSearchParams({ token: 'unknown-token-value' }),
      });
      expect(response.status).toBe(200);
      expect([...Buffer.from(await response.arrayBuffer()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.done;
    }
  });

  it('refuses an unknown quirk with the list of known ones (exit 2)', async () => {
    const result = await runCli(['sandbox', '--quirks', 'bom,v1-everything'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown quirk "v1-everything"; known: bom, error-at-200, html-errors/);
  });
});
