import cron from 'node-cron';
import { z } from 'zod';
import { MMT_ACTIVITY_TYPES } from '../formats/activity-types.js';
import { isSecureUrl } from '../net/loopback.js';
import { templateProblems } from './name-template.js';

const activityType = z.enum(MMT_ACTIVITY_TYPES);
const uploadStatus = z.enum(['public', 'private']);

function secureUrl(value: string): boolean {
  try {
    return isSecureUrl(new URL(value));
  } catch {
    return false;
  }
}

/** https everywhere, http only to this machine (the sandbox). */
const baseUrl = z
  .string()
  .refine(secureUrl, 'an https:// URL (plain http only for a loopback host)')
  .transform((value) => (value.endsWith('/') ? value : `${value}/`));

/**
 * Relative to the base URL (no scheme, no leading "/": "//host/…" would leave it), or an
 * absolute URL for an endpoint on another host, held to the same https rule as the base.
 */
const relativePath = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;
const endpointPath = z
  .string()
  .min(1)
  .refine(
    (value) => (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) ? secureUrl(value) : relativePath.test(value)),
    'a path relative to api.baseUrl (like oauth/token) or an https:// URL (plain http only for a loopback host)',
  );

/** An activity's page on the site: https (loopback http for the sandbox), with an {id} to fill in. */
const activityUrl = z
  .string()
  .refine((value) => value.includes('{id}'), 'a URL with {id} where the activity id goes')
  .refine((value) => secureUrl(value.replace('{id}', '1')), 'an https:// URL (plain http only for a loopback host)');

const cronExpression = z.string().min(1).refine((value) => cron.validate(value), 'a cron expression like "*/15 * * * *"');

const source = z.strictObject({
  path: z.string().min(1),
  activityType: activityType.optional(),
  status: uploadStatus.optional(),
  include: z.array(z.string().min(1)).optional(),
  exclude: z.array(z.string().min(1)).optional(),
});

/** One training app of `apps:`: found or not, and what its activities become. */
const app = z.strictObject({
  enabled: z.boolean(),
  activityType: activityType.optional(),
  status: uploadStatus.optional(),
});

const backfill = z
  .string()
  .regex(/^(all|\d+[dhw]|\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?)$/, 'a duration like 14d, a date like 2026-01-31, or "all"');

/** Placeholders other than the known ones would end up on the site as typed. */
const nameTemplate = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    for (const problem of templateProblems(value)) ctx.addIssue({ code: 'custom', message: problem, input: value, params: { plain: true } });
  });

export const configSchema = z.strictObject({
  api: z.strictObject({
    baseUrl,
    clientId: z.string(),
    clientSecret: z.string().meta({ secret: true }),
    timeoutS: z.number().positive().max(3600),
    scope: z.string(),
    issuer: z.string(),
    paths: z.strictObject({
      authorize: endpointPath,
      token: endpointPath,
      revoke: endpointPath,
      uploadActivity: endpointPath,
      startActivity: endpointPath,
      updateActivity: endpointPath,
      stopActivity: endpointPath,
    }),
    activityUrl,
  }),
  auth: z.strictObject({
    tokenStore: z.enum(['keychain', 'file']),
    refreshMarginS: z.number().int().min(0),
    loginTimeoutS: z.number().positive(),
    callbackPort: z.number().int().min(0).max(65535),
  }),
  upload: z.strictObject({
    status: uploadStatus,
    defaultActivityType: activityType,
    nameTemplate,
    concurrency: z.number().int().min(1).max(16),
  }),
  retry: z.strictObject({
    baseDelayS: z.number().positive(),
    maxDelayS: z.number().positive(),
    maxAttempts: z.number().int().min(1),
    onceWaitS: z.number().min(0),
  }),
  sources: z.array(source),
  devices: z.strictObject({
    autoDetect: z.boolean(),
    mediaRoots: z.array(z.string().min(1)),
    pollIntervalS: z.number().positive(),
  }),
  apps: z.strictObject({
    detect: z.boolean(),
    zwift: app,
    mywhoosh: app,
    trainingPeaksVirtual: app,
    onelap: app,
    garminExpress: app,
    wahooDropbox: app,
  }),
  intake: z.strictObject({
    settleS: z.number().min(0),
    maxFileMB: z.number().positive(),
    backfill,
    rescanCron: cronExpression,
    parallelReads: z.number().int().min(1).max(16),
  }),
  log: z.strictObject({
    level: z.enum(['error', 'warn', 'info', 'debug']),
    format: z.enum(['text', 'json']),
  }),
  notify: z.boolean(),
  ui: z.strictObject({
    enabled: z.boolean(),
    port: z.number().int().min(0).max(65535),
    units: z.enum(['auto', 'km', 'mi']),
  }),
  import: z.strictObject({
    startPerMin: z.number().positive(),
    maxPerMin: z.number().min(0),
  }),
});

export type Config = z.infer<typeof configSchema>;
export type SourceConfig = z.infer<typeof source>;
