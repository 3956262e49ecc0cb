/**
 * Helpers for the sandbox's own tests (and anyone scripting against a
 * sandbox): plain fetch calls with nothing mocked. No vitest import, so it
 * builds with the rest of the module.
 */
import type { ActivityView } from './inspect.js';
import { basicAuth, type SandboxClient } from './headless.js';
import type { SandboxStats } from './stats.js';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').startsWith('application/json')) body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body };
}

export type Field = string | { readonly bytes: Uint8Array | string; readonly filename: string };

/** POSTs a data endpoint as multipart/form-data, the way the contract wants it. */
export async function callApi(
  sandbox: SandboxClient,
  endpoint: string,
  fields: Readonly<Record<string, Field>>,
  accessToken?: string,
): Promise<Reply> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value.bytes]), value.filename);
  }
  const headers: Record<string, string> = accessToken ? { Authorization: `Bearer ${accessToken}` } : {};
  return reply(await fetch(new URL(endpoint, sandbox.baseUrl), { method: 'POST', body: form, headers }));
}

/** POSTs oauth/token or oauth/revoke with Basic client auth (override `authorization` to test bad ones). */
export async function callOAuth(
  sandbox: SandboxClient,
  endpoint: 'oauth/token' | 'oauth/revoke',
  params: Readonly<Record<string, string>>,
  authorization: string | null = basicAuth(sandbox.clientId, sandbox.clientSecret),
): Promise<Reply> {
  const headers: Record<string, string> = authorization === null ? {} : { Authorization: authorization };
  return reply(await fetch(new URL(endpoint, sandbox.baseUrl), { method: 'POST', headers, body: new URLSearchParams(params) }));
}

export async function getJson<T>(sandbox: SandboxClient, path: string): Promise<T> {
  const response = await fetch(new URL(path, sandbox.baseUrl));
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return (await response.json()) as T;
}

export const listActivities = (sandbox: SandboxClient) => getJson<ActivityView[]>(sandbox, '/sandbox/activities');
export const readStats = (sandbox: SandboxClient) => getJson<SandboxStats>(sandbox, '/sandbox/stats');

/** A small valid GPX track; `salt` changes the bytes so dedupe sees a new file. */
export function gpxTrack(salt = '', points = 3): string {
  const pts = Array.from(
    { length: points },
    (_, i) => `<trkpt lat="51.${500 + i}" lon="-0.${100 + i}"><ele>12</ele><time>2024-05-01T10:00:${String(i).padStart(2, '0')}Z</time></trkpt>`,
  ).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="testkit ${salt}" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>t</name><trkseg>${pts}</trkseg></trk></gpx>`;
}

/** The smallest thing the sandbox takes for FIT: a 14-byte header (".FIT" at 8..11) and a body. */
export function fitBytes(salt = 0): Uint8Array {
  const bytes = new Uint8Array(14 + 8);
  bytes[0] = 14;
  bytes[1] = 0x20;
  new DataView(bytes.buffer).setUint32(4, 8, true);
  bytes.set([0x2e, 0x46, 0x49, 0x54], 8);
  bytes[14] = salt & 0xff;
  return bytes;
}

/** Live `data` as the contract describes it: integer Unix seconds. */
export function liveData(count: number, start = 1_714_557_600, withHr = false): string {
  const loc = Array.from({ length: count }, (_, i) => ({
    lat: 51.5 + i / 1000,
    lon: -0.1 - i / 1000,
    ele: 12,
    timestamp: start + i,
    unix_timestamp: start + i,
  }));
  const hr = withHr ? loc.map((p) => ({ hr: 120, timestamp: p.timestamp, unix_timestamp: p.unix_timestamp })) : undefined;
  return JSON.stringify(hr ? { loc, hr } : { loc });
}
