/**
 * api/: Map My Tracks' data endpoints (uploadActivity and the live-tracking calls) and what
 * their replies mean. May import http/ (below it), config/ (types), errors, log; it gets its
 * bearer token through the AccessTokens interface, so it does not depend on auth/ — auth/ and
 * api/ both sit on http/ and neither imports the other.
 */
import type { Config } from '../config/schema.js';
import { MmtError } from '../errors.js';
import { HttpFailure } from '../http/failure.js';
import { encodeMultipart, type EncodedForm, type FormValue } from '../http/multipart.js';
import { describeReply } from '../http/reply.js';
import { httpRequest, type HttpResponse } from '../http/request.js';
import { resolveEndpoint } from '../http/url.js';
import type { Logger } from '../log.js';
import { ApiError, apiErrorFrom, isRefusalAt200 } from './errors.js';

type Fields = ReadonlyArray<readonly [string, FormValue]>;

export type Endpoint = 'uploadActivity' | 'startActivity' | 'updateActivity' | 'stopActivity';

export interface UploadRequest {
  readonly file: Uint8Array;
  readonly fileName: string;
  readonly status: 'public' | 'private';
  readonly activityType?: string;
  readonly activityName?: string;
}

export interface UploadResult {
  readonly activityId: string;
  /** 'created' or 'exists' when the server says; the client must not depend on it. */
  readonly status?: string;
}

export interface LivePoint {
  readonly lat: number;
  readonly lon: number;
  readonly ele?: number;
  /** Unix seconds. */
  readonly time: number;
}

export interface LiveHeartRate {
  readonly hr: number;
  readonly time: number;
}

/** The contract's `data` field: `loc` and `hr` arrays with both timestamps as Unix seconds. */
export function liveData(points: readonly LivePoint[], heartRates: readonly LiveHeartRate[] = []): string {
  return JSON.stringify({
    loc: points.map((p) => ({ lat: p.lat, lon: p.lon, ...(p.ele === undefined ? {} : { ele: p.ele }), timestamp: p.time, unix_timestamp: p.time })),
    ...(heartRates.length ? { hr: heartRates.map((h) => ({ hr: h.hr, timestamp: h.time, unix_timestamp: h.time })) } : {}),
  });
}

function mimeFor(fileName: string): string {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.gpx')) return 'application/gpx+xml';
  if (lower.endsWith('.tcx')) return 'application/vnd.garmin.tcx+xml';
  return 'application/octet-stream';
}

/** Where the client gets its bearer token (auth's AuthSession is one). */
export interface AccessTokens {
  /** A token that is valid now. */
  accessToken(): Promise<string>;
  /** After a 401 for `rejected`: a different, valid token. */
  renewAfterRejection(rejected: string): Promise<string>;
}

/**
 * The only code that calls Map My Tracks' data endpoints. Each call carries a bearer
 * token; a 401 gets exactly one refresh and one retry (the contract's rule).
 */
export class MmtClient {
  constructor(
    private readonly config: Config,
    private readonly session: AccessTokens,
    private readonly log: Logger,
  ) {}

  async uploadActivity(request: UploadRequest, signal?: AbortSignal): Promise<UploadResult> {
    const body = await this.call(
      'uploadActivity',
      () => [
        ['status', request.status],
        ...(request.activityType ? [['activity_type', request.activityType] as const] : []),
        ...(request.activityName ? [['activity_name', request.activityName] as const] : []),
        ['file', { bytes: request.file, fileName: request.fileName, contentType: mimeFor(request.fileName) }],
      ],
      signal,
    );
    const id = body.activity_id;
    if ((typeof id !== 'number' && typeof id !== 'string') || id === '') {
      throw new ApiError(200, 'NO_ACTIVITY_ID', 'uploadActivity: the server answered 200 without an activity_id', true, undefined);
    }
    return { activityId: String(id), ...(typeof body.status === 'string' ? { status: body.status } : {}) };
  }

  async startActivity(
    request: { status: 'public' | 'private'; activityType?: string; title?: string; tags?: string; data: string },
    signal?: AbortSignal,
  ): Promise<string> {
    const body = await this.call(
      'startActivity',
      () => [
        ['status', request.status],
        ...(request.activityType ? [['activity_type', request.activityType] as const] : []),
        ...(request.title ? [['activity_title', request.title] as const] : []),
        ...(request.tags ? [['tags', request.tags] as const] : []),
        ['data', request.data],
      ],
      signal,
    );
    const id = body.activity_id;
    if ((typeof id !== 'number' && typeof id !== 'string') || id === '' || id === 0) {
      throw new ApiError(200, 'NO_ACTIVITY_ID', 'startActivity: the server answered 200 without an activity_id', true, undefined);
    }
    return String(id);
  }

  async updateActivity(activityId: string, data: string, signal?: AbortSignal): Promise<void> {
    await this.call(
      'updateActivity',
      () => [
        ['activity_id', activityId],
        ['data', data],
      ],
      signal,
    );
  }

  async stopActivity(activityId: string, signal?: AbortSignal): Promise<void> {
    await this.call(
      'stopActivity',
      () => [['activity_id', activityId]],
      signal,
    );
  }

  private async call(endpoint: Endpoint, makeForm: () => Fields, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const url = resolveEndpoint(this.config.api.paths[endpoint], this.config.api.baseUrl);
    let token = await this.session.accessToken();
    let form = encodeMultipart(makeForm());
    let response = await this.send(endpoint, url, token, form, signal);
    if (response.status === 401) {
      this.log.debug(`${endpoint}: 401, refreshing the access token once`);
      token = await this.session.renewAfterRejection(token);
      form = encodeMultipart(makeForm());
      response = await this.send(endpoint, url, token, form, signal);
      if (response.status === 401) {
        throw new MmtError('login', 'LOGIN_REQUIRED', `${endpoint}: the server refused a freshly refreshed token: run \`mmt-sync login\``);
      }
    }
    const json = response.json;
    const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
    if (response.status === 200 && isObject && !isRefusalAt200(json as Record<string, unknown>)) {
      return json as Record<string, unknown>;
    }
    if (response.status === 200 && !isObject) {
      throw new ApiError(200, 'BAD_RESPONSE', `${endpoint}: the server answered 200 with ${describeReply(response, json)} instead of JSON`, true, undefined);
    }
    throw apiErrorFrom(endpoint, response, form.body.length);
  }

  private async send(endpoint: Endpoint, url: string, token: string, form: EncodedForm, signal?: AbortSignal): Promise<HttpResponse> {
    try {
      return await httpRequest({
        url,
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: form,
        timeoutMs: this.config.api.timeoutS * 1000,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      // Not this API's answer (a captive portal, a wrong endpoint): asking again gets the same.
      if (error instanceof HttpFailure && error.failureKind === 'too-large') {
        throw new ApiError(0, error.code, `${endpoint}: ${error.message}`, false, undefined);
      }
      throw error;
    }
  }
}
