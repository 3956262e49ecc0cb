import type { IncomingMessage } from 'node:http';

/**
 * The checks every request passes before anything else looks at it (syncthing's model
 * for a local GUI that can act). A page of another site can make the browser send
 * requests here; these are what stop it.
 */

/** DNS rebinding: a foreign name resolving to 127.0.0.1 still carries its own Host. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** A state-changing request must come from one of our own pages. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return typeof origin === 'string' && origin === `http://${req.headers.host ?? ''}`;
}

/**
 * Headers on every answer. The CSP allows our own script and stylesheet only (no inline
 * script or style, no other origin); forms may post to us and, for "Log in", lead on to
 * the authorize page of the account's server. No CORS header is ever sent.
 */
export function securityHeaders(authorizeOrigin: string | undefined): Record<string, string> {
  const formAction = ["'self'", ...(authorizeOrigin ? [authorizeOrigin] : [])].join(' ');
  return {
    'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action ${formAction}; base-uri 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // same-origin, not no-referrer: with no-referrer Chrome sends `Origin: null` on our own form posts.
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** Where a form may send the browser back to: a path of ours, nothing else. */
export function localPath(value: string | null | undefined, fallback = '/'): string {
  return value && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) ? value : fallback;
}
