/** Talking to launchd for the LaunchAgent (macOS). */
import { AGENT_LABEL } from './launchd-agent.js';
import { firstLine, run } from './exec.js';
import type { Reachability } from './systemctl.js';

export const guiDomain = (uid: number): string => `gui/${uid}`;
export const agentTarget = (uid: number): string => `${guiDomain(uid)}/${AGENT_LABEL}`;

/** The per-user GUI domain exists only while the user is logged in at the console. */
export async function probeGuiDomain(uid: number, env: NodeJS.ProcessEnv): Promise<Reachability> {
  const result = await run(['launchctl', 'print', guiDomain(uid)], { env, timeoutMs: 10_000 });
  return result.code === 0 ? { reachable: true } : { reachable: false, reason: firstLine(result) };
}

export interface AgentState {
  readonly loaded: boolean;
  /** `running`, `waiting`, `not running`, …; `unknown` when launchd says nothing. */
  readonly state: string;
  readonly pid?: number;
  readonly lastExitCode?: string;
}

/** Parses the few lines of `launchctl print gui/<uid>/<label>` that status shows. */
export function parseLaunchctlPrint(text: string): Omit<AgentState, 'loaded'> {
  const field = (name: string) => new RegExp(`^\\s*${name} = (.+)$`, 'm').exec(text)?.[1]?.trim();
  const pid = Number(field('pid'));
  const lastExit = field('last exit code');
  return {
    state: field('state') ?? 'unknown',
    ...(Number.isInteger(pid) && pid > 0 ? { pid } : {}),
    ...(lastExit ? { lastExitCode: lastExit } : {}),
  };
}

export async function agentState(uid: number, env: NodeJS.ProcessEnv): Promise<AgentState> {
  const result = await run(['launchctl', 'print', agentTarget(uid)], { env, timeoutMs: 10_000 });
  if (result.code !== 0) return { loaded: false, state: 'not loaded' };
  return { loaded: true, ...parseLaunchctlPrint(result.stdout) };
}
