/**
 * The sandbox's state: what it stores, and the zod schemas that check it when
 * it is read back from disk. One place, so persistence and handlers agree.
 */
import { z } from 'zod';

export const FILE_FORMATS = ['fit', 'gpx', 'tcx'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const VISIBILITIES = ['public', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** Integer Unix seconds; the upper bound (year 2106) catches milliseconds sent by mistake. */
const UnixSeconds = z.number().int().nonnegative().max(0xffffffff);

/** A live location point as the contract defines it. */
export const LocPointSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  ele: z.number().finite().optional(),
  timestamp: UnixSeconds,
  unix_timestamp: UnixSeconds,
});
export type LocPoint = z.infer<typeof LocPointSchema>;

export const HrPointSchema = z.strictObject({
  hr: z.number().int().min(0).max(300),
  timestamp: UnixSeconds,
  unix_timestamp: UnixSeconds,
});
export type HrPoint = z.infer<typeof HrPointSchema>;

const ActivityBase = {
  id: z.number().int().positive(),
  /** The user who approved the token that created it: dedupe and live state are per account. */
  account: z.string(),
  name: z.string().nullable(),
  type: z.string().nullable(),
  status: z.enum(VISIBILITIES),
  receivedAt: z.string(),
};

export const FileActivitySchema = z.object({
  ...ActivityBase,
  kind: z.literal('file'),
  format: z.enum(FILE_FORMATS),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
});
export type FileActivity = z.infer<typeof FileActivitySchema>;

export const LiveActivitySchema = z.object({
  ...ActivityBase,
  kind: z.literal('live'),
  state: z.enum(['live', 'stopped']),
  tags: z.string().nullable(),
  loc: z.array(LocPointSchema),
  hr: z.array(HrPointSchema),
  updatedAt: z.string(),
  stoppedAt: z.string().nullable(),
});
export type LiveActivity = z.infer<typeof LiveActivitySchema>;

export const ActivitySchema = z.discriminatedUnion('kind', [FileActivitySchema, LiveActivitySchema]);
export type Activity = z.infer<typeof ActivitySchema>;

/**
 * All tokens descended from one authorization code. Reusing a rotated
 * refresh token or the code itself revokes the whole family at once.
 */
export const TokenFamilySchema = z.object({
  id: z.string(),
  clientId: z.string(),
  account: z.string(),
  createdAt: z.number(),
  revoked: z.boolean(),
});
export type TokenFamily = z.infer<typeof TokenFamilySchema>;

/** Tokens are kept by sha256 (`key`), never in clear. */
export const AccessTokenSchema = z.object({ key: z.string(), familyId: z.string(), expiresAt: z.number() });
export type AccessTokenRecord = z.infer<typeof AccessTokenSchema>;

export const RefreshTokenSchema = z.object({ key: z.string(), familyId: z.string(), rotated: z.boolean() });
export type RefreshTokenRecord = z.infer<typeof RefreshTokenSchema>;

export const StateFileSchema = z.object({
  version: z.literal(1),
  client: z.object({ id: z.string(), secret: z.string() }),
  nextActivityId: z.number().int().positive(),
  activities: z.array(ActivitySchema),
  families: z.array(TokenFamilySchema),
  accessTokens: z.array(AccessTokenSchema),
  refreshTokens: z.array(RefreshTokenSchema),
});
export type StateFile = z.infer<typeof StateFileSchema>;
