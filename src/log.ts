import { createRequire } from 'node:module';
import type winston from 'winston';
import { redact, redactDeep } from './redact.js';

const require = createRequire(import.meta.url);

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';

export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  setLevel(level: LogLevel): void;
  setFormat(format: LogFormat): void;
}

function describeMeta(meta: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(meta)) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}=${/\s/.test(text) ? JSON.stringify(text) : text}`);
  }
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/**
 * The only formatter: every line is redacted here, once, after it is fully built,
 * so no call site can forget. Under systemd (JOURNAL_STREAM set) the journal adds
 * its own timestamps, so lines carry none.
 */
function lineFormat(format: LogFormat, withTimestamp: boolean) {
  return (require('winston') as typeof winston).format.printf((info) => {
    const { level, message, timestamp: _t, stack, ...meta } = info as winston.Logform.TransformableInfo & {
      stack?: string;
    };
    if (format === 'json') {
      return JSON.stringify(
        redactDeep({ time: new Date().toISOString(), level, message: String(message), ...meta, ...(stack ? { stack } : {}) }),
      );
    }
    const prefix = withTimestamp ? `${new Date().toISOString()} ` : '';
    const tail = stack ? `\n${stack}` : '';
    return redact(`${prefix}${level}: ${String(message)}${describeMeta(meta)}${tail}`);
  });
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * winston is loaded with the first line actually written, not at start: it is most of
 * what `mmt-sync status` or `--version` would otherwise spend starting (measured in
 * bench/results/startup.json), and a quiet command writes no line at all.
 */
export function createLogger(options: {
  level?: LogLevel;
  format?: LogFormat;
  stream?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
} = {}): Logger {
  const env = options.env ?? process.env;
  let level: LogLevel = options.level ?? 'info';
  let format: LogFormat = options.format ?? 'text';
  let logger: winston.Logger | undefined;
  const write = (at: LogLevel, message: string, meta?: Record<string, unknown>) => {
    if (RANK[at] > RANK[level]) return;
    logger ??= (require('winston') as typeof winston).createLogger({
      level,
      format: lineFormat(format, !env.JOURNAL_STREAM),
      transports: [new (require('winston') as typeof winston).transports.Stream({ stream: options.stream ?? process.stderr })],
    });
    logger[at](message, meta);
  };
  return {
    error: (message, meta) => write('error', message, meta),
    warn: (message, meta) => write('warn', message, meta),
    info: (message, meta) => write('info', message, meta),
    debug: (message, meta) => write('debug', message, meta),
    setLevel: (next) => {
      level = next;
      if (logger) logger.level = next;
    },
    setFormat: (next) => {
      format = next;
      if (logger) logger.format = lineFormat(next, !env.JOURNAL_STREAM);
    },
  };
}

/** A logger that drops everything, for library callers and tests that don't care. */
export const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  setLevel: () => {},
  setFormat: () => {},
};
