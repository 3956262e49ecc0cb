import type { AuthSession } from '../auth/session.js';
import type { Config } from '../config/schema.js';
import { MmtError } from '../errors.js';
import type { Logger } from '../log.js';
import { ApiError, apiErrorFrom } from './errors.js';
import { httpRequest, parseRetryAfter, type HttpResponse } from './http.js';
import { encodeMultipart, type EncodedForm, type FormValue } from './multipart.js';

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

/**
 * The only code that calls Map My Tracks' data endpoints. Each call carries a bearer
 * token; a 401 gets exactly one refresh and one retry (the contract's rule).
 */
export class MmtClient {
  constructor(
    private readonly config: Config,
    private readonly session: AuthSession,
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
    const url = new URL(this.config.api.paths[endpoint], this.config.api.baseUrl).toString();
    let token = await this.session.accessToken();
    let response = await this.send(url, token, encodeMultipart(makeForm()), signal);
    if (response.status === 401) {
      this.log.debug(`${endpoint}: 401, refreshing the access token once`);
      token = await this.session.renewAfterRejection(token);
      response = await this.send(url, token, encodeMultipart(makeForm()), signal);
      if (response.status === 401) {
        throw new MmtError('login', 'LOGIN_REQUIRED', `${endpoint}: the server refused a freshly refreshed token: run \`mmt-sync login\``);
      }
    }
    if (response.status === 200 && typeof response.json === 'object' && response.json !== null) {
      return response.json as Record<string, unknown>;
    }
    if (response.status === 200) {
      throw new ApiError(200, 'BAD_RESPONSE', `${endpoint}: the server answered 200 with no JSON body`, true, undefined);
    }
    throw apiErrorFrom(endpoint, response, parseRetryAfter(response.headers.get('retry-after')));
  }

  private send(url: string, token: string, form: EncodedForm, signal?: AbortSignal): Promise<HttpResponse> {
    return httpRequest({
      url,
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
      timeoutMs: this.config.api.timeoutS * 1000,
      ...(signal ? { signal } : {}),
    });
  }
}
