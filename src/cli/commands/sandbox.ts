import { once } from 'node:events';
import { QUIRKS, parseQuirks } from '../../sandbox/quirks.js';
import { startSandbox, type SandboxOptions } from '../../sandbox/server.js';
import type { Io } from '../io.js';

export type SandboxCommandOptions = SandboxOptions;

/** Runs the local Map My Tracks stand-in until SIGINT/SIGTERM. */
export async function runSandbox(options: SandboxCommandOptions, io: Io, signal: AbortSignal): Promise<void> {
  const sandbox = await startSandbox(options, signal);
  const origin = new URL(sandbox.baseUrl).origin;
  const quirks = [...parseQuirks(options.quirks)];
  io.out(
    [
      `sandbox listening: ${sandbox.baseUrl}`,
      `client id:         ${sandbox.clientId}`,
      `client secret:     ${sandbox.clientSecret}`,
      `activities:        ${origin}/`,
      `config for it:     api: { baseUrl: ${sandbox.baseUrl}, clientId: ${sandbox.clientId}, clientSecret: <as above> }`,
      ...(quirks.includes('iss') ? [`issuer (api.issuer): ${sandbox.issuer}`] : []),
      ...(options.redirectUri ? [`redirect URI:      ${options.redirectUri} (only this one)`] : []),
      ...quirks.map((q) => `quirk:             ${q}: ${QUIRKS[q]}`),
    ].join('\n'),
  );
  if (!signal.aborted) await once(signal, 'abort');
  await sandbox.close();
  io.log.info('sandbox stopped');
}
