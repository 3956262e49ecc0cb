import { usageError } from '../errors.js';
import { isLoopbackRedirect } from './authorize.js';
import { parseQuirks, type Quirks } from './quirks.js';
import type { RequestLogEntry } from './stats.js';

export interface SandboxOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Persist activities, files and tokens here; in memory when absent. @default undefined */
  readonly dataDir?: string;
  /** OAuth client id. @default the one stored in dataDir, else random */
  readonly clientId?: string;
  /** OAuth client secret. @default the one stored in dataDir, else random */
  readonly clientSecret?: string;
  /** Access token lifetime in seconds. @default 3600 */
  readonly tokenTtlS?: number;
  /** 0..1: share of data-endpoint requests answered 500/502/503 or dropped. @default 0 */
  readonly failRate?: number;
  /** Milliseconds added before every response. @default 0 */
  readonly latencyMs?: number;
  /** Data-endpoint requests per minute and account; beyond it 429 with Retry-After. @default unlimited */
  readonly rateLimitPerMin?: number;
  /** The first N data-endpoint requests fail with 503. @default 0 */
  readonly failFirst?: number;
  /** Seed for fault injection, so a failing run can be replayed. @default random */
  readonly seed?: number;
  /** Fault injection (failFirst, failRate, rate limit) also hits oauth/token. @default false */
  readonly faultOAuth?: boolean;
  /** Server personalities (see quirks.ts), as a list or `a,b,c`. @default none */
  readonly quirks?: string | readonly string[];
  /** The one redirect URI the client registered: authorize accepts no other. @default any loopback URI */
  readonly redirectUri?: string;
}

/**
 * Knobs that exist so tests stay fast; not part of the CLI. They shrink
 * windows instead of mocking time (house style rule 10).
 */
export interface SandboxTuning {
  /** Authorization code lifetime. @default 60_000 */
  readonly codeTtlMs?: number;
  /** Length of the rate limit's sliding window. @default 60_000 */
  readonly rateWindowMs?: number;
  /** Called once per API request when it ends (no query strings, no secrets): lets the CLI print an access log. */
  readonly onRequest?: (entry: RequestLogEntry) => void;
  /**
   * Called with the path of each API request as it arrives, before it is handled: a test can
   * change the world (fill a disk) at a point the client cannot have passed yet.
   */
  readonly onRequestStart?: (path: string) => void;
}

export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly tokenTtlS: number;
  readonly failRate: number;
  readonly latencyMs: number;
  readonly rateLimitPerMin: number | undefined;
  readonly failFirst: number;
  readonly seed: number;
  readonly faultOAuth: boolean;
  readonly quirks: Quirks;
  readonly redirectUri: string | undefined;
  readonly codeTtlMs: number;
  readonly rateWindowMs: number;
  readonly onRequest: ((entry: RequestLogEntry) => void) | undefined;
  readonly onRequestStart: ((path: string) => void) | undefined;
}

function fail(name: string, expected: string, got: unknown): never {
  throw usageError('SANDBOX_OPTION', `sandbox option ${name}: expected ${expected}, got ${JSON.stringify(got)}`);
}

function integer(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/**
 * RFC 6749 Appendix A.1/A.2: ids and secrets are VSCHARs, printable ASCII including space,
 * ':', '+', '%' and '/', which is what makes the form-encoding inside HTTP Basic matter.
 */
function credential(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\x20-\x7e]{1,200}$/.test(value)) {
    fail(name, '1-200 printable ASCII characters', name === 'clientSecret' ? '<redacted>' : value);
  }
  return value;
}

/** Validates every option up front, so a typo fails at start and not on the first request. */
export function resolveOptions(options: SandboxOptions & SandboxTuning): ResolvedOptions {
  const failRate = options.failRate ?? 0;
  if (typeof failRate !== 'number' || !(failRate >= 0 && failRate <= 1)) fail('failRate', 'a number from 0 to 1', failRate);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) fail('host', 'a host name or address', host);
  if (options.dataDir !== undefined && (typeof options.dataDir !== 'string' || options.dataDir === '')) {
    fail('dataDir', 'a directory path', options.dataDir);
  }
  if (options.faultOAuth !== undefined && typeof options.faultOAuth !== 'boolean') {
    fail('faultOAuth', 'true or false', options.faultOAuth);
  }
  if (options.redirectUri !== undefined && (typeof options.redirectUri !== 'string' || !isLoopbackRedirect(options.redirectUri))) {
    fail('redirectUri', 'a loopback http URI like http://127.0.0.1:8765/callback', options.redirectUri);
  }
  if (options.onRequest !== undefined && typeof options.onRequest !== 'function') {
    fail('onRequest', 'a function', typeof options.onRequest);
  }
  if (options.onRequestStart !== undefined && typeof options.onRequestStart !== 'function') {
    fail('onRequestStart', 'a function', typeof options.onRequestStart);
  }
  return {
    port: integer('port', options.port, 0, 65535) ?? 0,
    host,
    dataDir: options.dataDir,
    clientId: credential('clientId', options.clientId),
    clientSecret: credential('clientSecret', options.clientSecret),
    tokenTtlS: integer('tokenTtlS', options.tokenTtlS, 1, 10 * 365 * 86400) ?? 3600,
    failRate,
    latencyMs: integer('latencyMs', options.latencyMs, 0, 600_000) ?? 0,
    rateLimitPerMin: integer('rateLimitPerMin', options.rateLimitPerMin, 1, 1_000_000),
    failFirst: integer('failFirst', options.failFirst, 0, 1_000_000) ?? 0,
    seed: integer('seed', options.seed, 0, 2 ** 32 - 1) ?? Math.floor(Math.random() * 2 ** 32),
    faultOAuth: options.faultOAuth ?? false,
    quirks: parseQuirks(options.quirks),
    redirectUri: options.redirectUri,
    codeTtlMs: integer('codeTtlMs', options.codeTtlMs, 1, 3_600_000) ?? 60_000,
    rateWindowMs: integer('rateWindowMs', options.rateWindowMs, 1, 3_600_000) ?? 60_000,
    onRequest: options.onRequest,
    onRequestStart: options.onRequestStart,
  };
}
