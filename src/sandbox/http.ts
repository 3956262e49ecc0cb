/** Small request/response helpers for node:http; no framework, no state. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlainHttpError } from './errors.js';

/** Form bodies (token, revoke, authorize decision) are tiny; anything bigger is a client bug or abuse. */
export const FORM_BODY_LIMIT = 64 * 1024;

/** `text` replaces the serialised body when given (the quirks' byte order mark and padding). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
  text = JSON.stringify(body),
): void {
  send(res, status, text, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  send(res, status, html, {
    ...headers,
    'Content-Type': 'text/html; charset=utf-8',
    // The authorize page must not be framed by another site (clickjacking). No form-action:
    // browsers apply it to the redirect after the POST, which goes to the client's loopback port.
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
}

/** setHeader rather than writeHead(…, headers): only the former lets the access log read them back. */
function send(res: ServerResponse, status: number, text: string, headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.writeHead(status);
  res.end(text);
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The media type of a Content-Type header, lowercased, without parameters. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Reads the rest of a request we will not use, so that an early error answer
 * reaches a client that is still sending (closing mid-upload makes fetch
 * report a network error instead of our status).
 */
export function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded || req.destroyed) return resolve();
    req.once('end', resolve);
    req.once('close', resolve);
    req.once('error', () => resolve());
    req.resume();
  });
}

/**
 * The whole body up to limit bytes; beyond that 413, after the rest was
 * drained. Events rather than for-await: leaving a for-await loop early
 * destroys the request, and with it the socket our answer needs.
 */
export function readBody(req: IncomingMessage, limit = FORM_BODY_LIMIT): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.once('end', () => {
      if (size > limit) reject(new PlainHttpError(413, 'payload_too_large', `request body over ${limit} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    req.once('error', reject);
    req.once('close', () => {
      if (!req.readableEnded) reject(new Error('client closed the connection while sending'));
    });
  });
}

/** A parsed query string or form body that remembers parameters given twice. */
export interface Params {
  get(name: string): string | undefined;
  /** Names that occurred more than once (RFC 6749 §3.1: parameters MUST NOT repeat). */
  readonly repeated: readonly string[];
}

export function parseParams(text: string): Params {
  const values = new Map<string, string>();
  const repeated = new Set<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (values.has(name)) repeated.add(name);
    else values.set(name, value);
  }
  return {
    get: (name) => {
      const value = values.get(name);
      // RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
      return value === '' ? undefined : value;
    },
    repeated: [...repeated],
  };
}

/**
 * HTTP Basic client credentials (RFC 6749 §2.3.1: both parts are
 * form-urlencoded before base64). Undefined when absent or malformed.
 */
export function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** The access token of an `Authorization: Bearer` header (RFC 6750 §2.1; the only place we accept one). */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
