import winston from 'winston';
import { redact, redactDeep } from './redact.js';

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
  return winston.format.printf((info) => {
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

export function createLogger(options: {
  level?: LogLevel;
  format?: LogFormat;
  stream?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
} = {}): Logger {
  const env = options.env ?? process.env;
  const logger = winston.createLogger({
    level: options.level ?? 'info',
    format: lineFormat(options.format ?? 'text', !env.JOURNAL_STREAM),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
  return {
    error: (message, meta) => logger.error(message, meta),
    warn: (message, meta) => logger.warn(message, meta),
    info: (message, meta) => logger.info(message, meta),
    debug: (message, meta) => logger.debug(message, meta),
    setLevel: (level) => {
      logger.level = level;
    },
    setFormat: (format) => {
      logger.format = lineFormat(format, !env.JOURNAL_STREAM);
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
