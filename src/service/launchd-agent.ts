/**
 * The macOS LaunchAgent, rendered from launchd/com.mmt-sync.agent.plist. Pure.
 */
import { join, resolve } from 'node:path';
import { expandHome } from '../config/paths.js';
import type { ServiceContext } from './context.js';
import { xmlText } from './escape.js';
import { fillTemplate, readTemplate } from './templates.js';

export const AGENT_LABEL = 'com.mmt-sync.agent';
export const AGENT_FILE = `${AGENT_LABEL}.plist`;

export function launchAgentsDir(home: string): string {
  return join(home, 'Library', 'LaunchAgents');
}

export function agentLogFile(home: string): string {
  return join(home, 'Library', 'Logs', 'mmt-sync.log');
}

/** The folders whose changes start a sync: configured sources and media roots. */
export function watchPaths(ctx: ServiceContext): string[] {
  const env = { HOME: ctx.home };
  const paths = [...ctx.config.sources.map((s) => s.path), ...ctx.config.devices.mediaRoots].map((p) => resolve(expandHome(p, env)));
  return [...new Set(paths)];
}

const string = (value: string, indent: string) => `${indent}<string>${xmlText(value)}</string>`;

export function renderAgent(ctx: ServiceContext, templateRoot = ctx.packageRoot): string {
  const program = [ctx.node, ctx.cli, ctx.mode === 'daemon' ? 'watch' : 'sync'];
  const modeKeys =
    ctx.mode === 'daemon'
      ? [
          // Restarted when it fails, not when it was stopped on purpose (exit 0).
          '  <key>KeepAlive</key>',
          '  <dict>',
          '    <key>SuccessfulExit</key>',
          '    <false/>',
          '  </dict>',
          '  <key>ThrottleInterval</key>',
          '  <integer>30</integer>',
          '  <key>ExitTimeOut</key>',
          '  <integer>40</integer>',
        ]
      : ['  <key>StartInterval</key>', '  <integer>900</integer>'];
  return fillTemplate(readTemplate(join('launchd', AGENT_FILE), templateRoot), {
    PROGRAM_ARGUMENTS: program.map((arg) => string(arg, '    ')),
    ENVIRONMENT: ctx.environment.flatMap(([name, value]) => [`    <key>${xmlText(name)}</key>`, string(value, '    ')]),
    WATCH_PATHS: watchPaths(ctx).map((path) => string(path, '    ')),
    MODE_KEYS: modeKeys,
    LOG_FILE: xmlText(agentLogFile(ctx.home)),
  });
}
