import { MmtError } from '../errors.js';
import { isSecureUrl } from '../net/loopback.js';

/**
 * An endpoint as configured: an absolute URL (another host, e.g. an authorization server
 * or routes.mapmytracks.com) stays as it is; anything else is relative to the base URL.
 */
export function resolveEndpoint(pathOrUrl: string, baseUrl: string): string {
  return new URL(pathOrUrl, baseUrl).toString();
}

/** Refuses to send anything (tokens above all) over plain http to another machine. */
export function assertSafeUrl(url: string): void {
  const parsed = new URL(url);
  if (isSecureUrl(parsed)) return;
  throw new MmtError('usage', 'INSECURE_URL', `refusing to send a request to ${parsed.origin}: https is required (plain http only for a loopback host)`);
}
