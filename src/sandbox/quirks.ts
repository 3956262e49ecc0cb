/**
 * Server personalities: `mmt-sync sandbox --quirks bom,error-at-200,…` makes the sandbox
 * answer the way real servers do where the contract is silent or the pages show otherwise
 * (../shared/api/mmt-api-v3.md, "Token responses vary…" and "What real servers send…").
 * Each quirk is one behaviour, so a test (or a user) can pick exactly the one it wants.
 */
import type { ServerResponse } from 'node:http';
import { usageError } from '../errors.js';
import { sendHtml, sendJson } from './http.js';

export const QUIRKS = {
  bom: 'JSON replies start with a UTF-8 byte order mark and a blank line, as PHP servers send them',
  'error-at-200': 'refusals of the data endpoints (the contract\'s 403s) are sent with HTTP 200, as v1 did',
  'html-errors': 'error replies of the data endpoints are nginx-style HTML pages instead of JSON',
  'html-413': 'a proxy refuses every upload with nginx\'s "413 Request Entity Too Large" page',
  redirect: 'the data endpoints answer 301 to the https:// URL of the same path',
  'huge-reply': 'replies of the data endpoints are padded to 2 MiB',
  'refuse-upload': 'every upload is refused: INVALID_ACTIVITY "invalid activity"',
  'no-plus': 'startActivity is refused: the account has no PLUS membership',
  'ua-check': 'API requests without a mmt-sync/ User-Agent are refused with 403, as v1 did',
  'no-refresh-token': 'logins issue no refresh token (log in again when the access token expires)',
  'no-rotation': 'a refresh answer carries no new refresh token; the old one stays valid (RFC 6749 §6)',
  'expires-in-string': 'expires_in is a string ("3600")',
  'no-expires-in': 'token responses carry no expires_in',
  'lowercase-token-type': 'token_type is "bearer"',
  'scope-required': 'an authorization request without scope is refused with invalid_scope',
  iss: 'authorization responses carry iss (RFC 9207); the issuer is printed at start',
  'no-access-revoke': 'revoking an access token answers 400 unsupported_token_type (RFC 7009 §2.2.1)',
} as const;

export type Quirk = keyof typeof QUIRKS;
export type Quirks = ReadonlySet<Quirk>;

/** `a,b,c` or a list; unknown names are an error that lists the known ones. */
export function parseQuirks(value: unknown): Quirks {
  if (value === undefined) return new Set();
  const names = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (!names || names.some((n) => typeof n !== 'string')) {
    throw usageError('SANDBOX_OPTION', `sandbox option quirks: expected a comma-separated list, got ${JSON.stringify(value)}`);
  }
  const quirks = new Set<Quirk>();
  for (const raw of names as string[]) {
    const name = raw.trim();
    if (!name) continue;
    if (!(name in QUIRKS)) {
      throw usageError('SANDBOX_OPTION', `sandbox option quirks: unknown quirk "${name}"; known: ${Object.keys(QUIRKS).join(', ')}`);
    }
    quirks.add(name as Quirk);
  }
  return quirks;
}

/** What a UTF-8 BOM and a stray line look like in front of a PHP script's JSON. */
const BOM_PREFIX = '\uFEFF\n';

/** A JSON reply of the API (not the inspection pages), behind a BOM under the bom quirk. */
export function sendQuirkyJson(
  res: ServerResponse,
  status: number,
  body: object,
  quirks: Quirks,
  headers: Readonly<Record<string, string>> = {},
  text = JSON.stringify(body),
): void {
  sendJson(res, status, body, headers, quirks.has('bom') ? BOM_PREFIX + text : text);
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Not Allowed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** nginx's error page, padding comments and all: what a client must not dump into a log line. */
export function sendProxyPage(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const title = `${status} ${REASONS[status] ?? 'Error'}`;
  const padding = '<!-- a padding to disable MSIE and Chrome friendly error page -->\n'.repeat(6);
  sendHtml(res, status, `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n${padding}`, headers);
}

/** A JSON reply body padded with white space to `bytes`: still valid JSON, far too big. */
export function padded(body: object, bytes: number): string {
  const text = JSON.stringify(body);
  return text + ' '.repeat(Math.max(0, bytes - Buffer.byteLength(text)));
}

/** The User-Agent rule v1 enforced (api-v1 #26): generic library agents were answered 403. */
export function userAgentAllowed(userAgent: string | undefined): boolean {
  return (userAgent ?? '').startsWith('mmt-sync/');
}
