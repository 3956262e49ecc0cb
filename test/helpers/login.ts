import { approveAuthorization } from '../../src/sandbox/headless.js';
import { startCli, type CliResult, type TestHome } from './cli.js';

export interface ScriptedLogin {
  readonly result: CliResult;
  /** Where the sandbox sent the browser: carries the authorization code. */
  readonly callback: URL;
}

/** `mmt-sync login --no-browser`, approved (or denied) by a script instead of a person. */
export async function scriptedLogin(home: TestHome, decision: 'approve' | 'deny' = 'approve', extraArgs: string[] = []): Promise<ScriptedLogin> {
  const cli = startCli(['login', '--no-browser', ...extraArgs], home.env);
  const authorizeUrl = await cli.firstLine;
  const callback = await approveAuthorization(authorizeUrl, { decision });
  const response = await fetch(callback);
  await response.text();
  return { result: await cli.done, callback };
}
