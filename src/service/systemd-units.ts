/**
 * The systemd user units, rendered from the templates in the package's systemd/ folder.
 * Pure: a ServiceContext in, file contents out.
 */
import { join, resolve } from 'node:path';
import { expandHome } from '../config/paths.js';
import type { ServiceContext, ServiceMode } from './context.js';
import { systemdEnvironment, systemdExecArg, systemdPath, systemdPathListItem } from './escape.js';
import { fillTemplate, readTemplate } from './templates.js';

export const DAEMON_UNIT = 'mmt-sync.service';
export const ONCE_SERVICE = 'mmt-sync-once.service';
export const ONCE_TIMER = 'mmt-sync-once.timer';
export const MEDIA_PATH = 'mmt-sync-media.path';
export const MEDIA_SERVICE = 'mmt-sync-media.service';
export const DEVICE_TEMPLATE = 'mmt-sync-device@.service';
export const UDEV_RULE = '71-mmt-sync.rules';
export const UDEV_RULES_DIR = '/etc/udev/rules.d';

/** Every unit name any install may write, for uninstall to look for. */
export const ALL_UNITS = [DAEMON_UNIT, ONCE_SERVICE, ONCE_TIMER, MEDIA_PATH, MEDIA_SERVICE, DEVICE_TEMPLATE] as const;

export interface RenderedUnit {
  readonly name: string;
  readonly content: string;
  /** Enabled (`systemctl --user enable --now`) after writing; the others are started by these. */
  readonly enable: boolean;
}

/** `$XDG_CONFIG_HOME/systemd/user`, where the user manager looks first. */
export function userUnitDir(env: NodeJS.ProcessEnv, home: string): string {
  return join(env.XDG_CONFIG_HOME ? resolve(env.XDG_CONFIG_HOME) : join(home, '.config'), 'systemd', 'user');
}

/** The units of one mode: the daemon or the timer, plus the plug-in triggers when devices are auto-detected. */
export function unitsFor(mode: ServiceMode, autoDetect: boolean): string[] {
  const main = mode === 'daemon' ? [DAEMON_UNIT] : [ONCE_SERVICE, ONCE_TIMER];
  return autoDetect ? [...main, MEDIA_PATH, MEDIA_SERVICE, DEVICE_TEMPLATE] : main;
}

/** Units to enable: the rest are started by them (timer, path unit) or by udev. */
export const ENABLED_UNITS: ReadonlySet<string> = new Set([DAEMON_UNIT, ONCE_TIMER, MEDIA_PATH]);

/**
 * The folders a mass-storage mount appears in. `%u` is the user name, expanded by the
 * user manager. The gvfs folder is left out on purpose: its FUSE root sends no inotify
 * events, so MTP devices go through the udev rule instead.
 */
export function mediaTriggerPaths(ctx: ServiceContext): string[] {
  const configured = ctx.config.devices.mediaRoots.filter((dir) => dir.trim() !== '');
  if (configured.length) return configured.map((dir) => systemdPath(resolve(expandHome(dir, { HOME: ctx.home }))));
  return ['/run/media/%u', '/media/%u', '/media', '/mnt'];
}

function commonValues(ctx: ServiceContext): Record<string, string | string[]> {
  const environment = ctx.environment.map(([name, value]) => systemdEnvironment(name, value));
  // Secrets the service needs but no unit file may hold (MMT_CLIENT_SECRET) can go here.
  environment.push(`EnvironmentFile=-${systemdPath(join(ctx.configDir, 'service.env'))}`);
  return {
    MMT_SYNC: [ctx.node, ctx.cli].map(systemdExecArg).join(' '),
    ENVIRONMENT: environment,
  };
}

export function renderUnit(name: string, ctx: ServiceContext, templateRoot = ctx.packageRoot): string {
  const template = readTemplate(join('systemd', name), templateRoot);
  const common = commonValues(ctx);
  const stateDir = { STATE_DIR: systemdPathListItem(ctx.stateDir) };
  switch (name) {
    case DAEMON_UNIT:
    case ONCE_SERVICE:
    case MEDIA_SERVICE:
      return fillTemplate(template, { ...common, ...stateDir });
    case DEVICE_TEMPLATE:
      return fillTemplate(template, common);
    case ONCE_TIMER:
      return fillTemplate(template, {});
    case MEDIA_PATH:
      return fillTemplate(template, { PATH_CHANGED: mediaTriggerPaths(ctx).map((path) => `PathChanged=${path}`) });
    default:
      throw new Error(`no such unit template: ${name}`);
  }
}

export function renderUnits(ctx: ServiceContext): RenderedUnit[] {
  return unitsFor(ctx.mode, ctx.config.devices.autoDetect).map((name) => ({
    name,
    content: renderUnit(name, ctx),
    enable: ENABLED_UNITS.has(name),
  }));
}
