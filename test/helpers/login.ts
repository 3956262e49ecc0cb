import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { approveAuthorization } from '../../src/sandbox/headless.js';
import { startCli, type CliResult, type RunningCli, type TestHome } from './cli.js';

export interface ScriptedLogin {
  readonly result: CliResult;
  /** Where the sandbox sent the browser: carries the authorization code. */
  readonly callback: URL;
  /** What the loopback listener showed the browser. */
  readonly page: string;
}

/**
 * `mmt-sync login --no-browser`, approved (or denied) by a script instead of a person.
 * `tamper` changes the callback URL on its way back, as an attacker in the middle would.
 */
export async function scriptedLogin(
  home: TestHome,
  decision: 'approve' | 'deny' = 'approve',
  extraArgs: string[] = [],
  tamper?: (callback: URL) => void,
): Promise<ScriptedLogin> {
  const cli = startCli(['login', '--no-browser', ...extraArgs], home.env);
  const authorizeUrl = await authorizeUrlOf(cli);
  const callback = await approveAuthorization(authorizeUrl, { decision });
  tamper?.(callback);
  const response = await fetch(callback);
  const page = await response.text();
  return { result: await cli.done, callback, page };
}

/** The URL `login --no-browser` prints first; a login that ends before printing one fails with its stderr. */
export function authorizeUrlOf(cli: RunningCli): Promise<string> {
  return Promise.race([
    cli.firstLine,
    cli.done.then((result) => {
      throw new Error(`mmt-sync login exited ${result.code} without printing the authorize URL:\n${result.stderr}`);
    }),
  ]);
}

/** The token file of a `tokenStore: file` home, as mmt-sync wrote it. */
export function storedTokens(home: TestHome): { accessToken: string; refreshToken?: string; expiresAt: number; loginRequired?: string } {
  const name = readdirSync(home.stateDir).find((entry) => entry.startsWith('tokens-'));
  if (!name) throw new Error(`no token file in ${home.stateDir}`);
  return JSON.parse(readFileSync(join(home.stateDir, name), 'utf8'));
}

/** True when the home has no token file (nothing was stored, or logout deleted it). */
export function noTokens(home: TestHome): boolean {
  return !existsSync(home.stateDir) || !readdirSync(home.stateDir).some((entry) => entry.startsWith('tokens-'));
}
