import { once } from 'node:events';
import { startSandbox, type SandboxOptions } from '../../sandbox/server.js';
import type { Io } from '../io.js';

export type SandboxCommandOptions = SandboxOptions;

/** Runs the local Map My Tracks stand-in until SIGINT/SIGTERM. */
export async function runSandbox(options: SandboxCommandOptions, io: Io, signal: AbortSignal): Promise<void> {
  const sandbox = await startSandbox(options, signal);
  const origin = new URL(sandbox.baseUrl).origin;
  io.out(
    [
      `sandbox listening: ${sandbox.baseUrl}`,
      `client id:         ${sandbox.clientId}`,
      `client secret:     ${sandbox.clientSecret}`,
      `activities:        ${origin}/`,
      `config for it:     api: { baseUrl: ${sandbox.baseUrl}, clientId: ${sandbox.clientId}, clientSecret: <as above> }`,
    ].join('\n'),
  );
  if (!signal.aborted) await once(signal, 'abort');
  await sandbox.close();
  io.log.info('sandbox stopped');
}
