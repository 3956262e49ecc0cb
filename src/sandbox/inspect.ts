/**
 * Read-only views for people and tests, outside the contract: /sandbox/…
 * and the index page. They never count as API traffic and never fault.
 */
import type { ServerResponse } from 'node:http';
import { PlainHttpError } from './errors.js';
import { sendHtml, sendJson } from './http.js';
import type { Activity, FileFormat } from './model.js';
import { indexPage } from './pages.js';
import type { StatsRecorder } from './stats.js';
import type { SandboxStore } from './store.js';

/** What GET /sandbox/activities lists for each activity. */
export interface ActivityView {
  readonly id: number;
  readonly account: string;
  readonly name: string | null;
  readonly type: string | null;
  readonly status: string;
  readonly format: FileFormat | null;
  readonly bytes: number | null;
  readonly sha256: string | null;
  readonly receivedAt: string;
  readonly live?: true;
  readonly state?: 'live' | 'stopped';
  /** Number of location points. */
  readonly points?: number;
  readonly loc?: readonly unknown[];
  readonly hr?: readonly unknown[];
  readonly tags?: string | null;
  readonly updatedAt?: string;
  readonly stoppedAt?: string | null;
}

const MIME: Record<FileFormat, string> = {
  fit: 'application/vnd.ant.fit',
  gpx: 'application/gpx+xml',
  tcx: 'application/vnd.garmin.tcx+xml',
};

export function activityView(a: Activity): ActivityView {
  const common = { id: a.id, account: a.account, name: a.name, type: a.type, status: a.status, receivedAt: a.receivedAt };
  if (a.kind === 'file') return { ...common, format: a.format, bytes: a.bytes, sha256: a.sha256 };
  return {
    ...common,
    format: null,
    bytes: null,
    sha256: null,
    live: true,
    state: a.state,
    points: a.loc.length,
    loc: a.loc,
    hr: a.hr,
    tags: a.tags,
    updatedAt: a.updatedAt,
    stoppedAt: a.stoppedAt,
  };
}

const sorted = (store: SandboxStore) => [...store.activities.values()].sort((a, b) => a.id - b.id);

export function sendActivities(res: ServerResponse, store: SandboxStore): void {
  sendJson(res, 200, sorted(store).map(activityView), { 'Cache-Control': 'no-store' });
}

export function sendStats(res: ServerResponse, stats: StatsRecorder): void {
  sendJson(res, 200, stats.snapshot(), { 'Cache-Control': 'no-store' });
}

export function sendIndex(res: ServerResponse, store: SandboxStore, baseUrl: string): void {
  sendHtml(res, 200, indexPage(sorted(store), baseUrl), { 'Cache-Control': 'no-store' });
}

export async function sendFile(res: ServerResponse, store: SandboxStore, idText: string): Promise<void> {
  const activity = /^[1-9][0-9]{0,15}$/.test(idText) ? store.activities.get(Number(idText)) : undefined;
  const bytes = activity?.kind === 'file' ? await store.readActivityFile(activity) : undefined;
  if (activity?.kind !== 'file' || !bytes) throw new PlainHttpError(404, 'not_found', `no uploaded file for activity ${idText}`);
  res.writeHead(200, {
    'Content-Type': MIME[activity.format],
    'Content-Length': bytes.length,
    'Content-Disposition': `attachment; filename="${activity.id}.${activity.format}"`,
  });
  res.end(bytes);
}
