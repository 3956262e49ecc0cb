/**
 * Reading a reply the way real servers send it, not the way the documentation shows it:
 * JSON behind a byte order mark or whitespace (PHP), JSON labelled text/html, proxies'
 * HTML pages, redirects. Everything here turns a reply into data or into one short line.
 */

/** What a reply carries, as far as these rules need it. */
export interface ReplyLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly text: string;
}

/**
 * The body as JSON, or undefined when it is not JSON. String#trim removes a UTF-8 byte order
 * mark (U+FEFF is white space to ECMAScript, not to JSON.parse) as well as the blank lines a
 * PHP include leaves before the JSON; the Content-Type is not consulted (PHP sends text/html).
 */
export function parseJsonBody(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

/** The error fields of a JSON body: the contract's `error`/`message`, RFC 6749's `error`/`error_description`. */
export function serverError(json: unknown): { readonly code?: string; readonly message?: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {};
  const body = json as Record<string, unknown>;
  const code = typeof body.error === 'string' && body.error ? oneLine(body.error, 80) : undefined;
  const text = [body.message, body.error_description].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  return { ...(code ? { code } : {}), ...(text ? { message: oneLine(text, 200) } : {}) };
}

/** Collapses white space and cuts at max characters, so a server's text fits in one log line. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The <title> of an HTML page (nginx and Apache error pages carry the status there), or undefined. */
export function htmlTitle(html: string): string | undefined {
  const match = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html.slice(0, 64 * 1024));
  if (!match) return undefined;
  const text = match[1]!.replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
  const title = oneLine(text, 100);
  return title || undefined;
}

function looksLikeHtml(reply: ReplyLike): boolean {
  const type = (reply.headers.get('content-type') ?? '').toLowerCase();
  return type.includes('html') || /^\s*</.test(reply.text);
}

/**
 * What the server said, in a few words for an error message (without the status, which the
 * caller puts first): the JSON error and message, where a redirect pointed, the title of an
 * HTML page, or the first words of plain text. Never the whole body.
 */
export function describeReply(reply: ReplyLike, json: unknown = parseJsonBody(reply.text)): string {
  if (reply.status >= 300 && reply.status < 400) {
    const location = reply.headers.get('location');
    return location ? `redirected to ${oneLine(location, 200)}; not followed` : 'a redirect without a Location; not followed';
  }
  const { code, message } = serverError(json);
  if (code || message) return [code, message].filter(Boolean).join(': ');
  if (json !== undefined) return 'JSON without an error message';
  if (!reply.text.trim()) return 'an empty body';
  if (looksLikeHtml(reply)) {
    const title = htmlTitle(reply.text);
    return title ? `an HTML page titled "${title}"` : 'an HTML page';
  }
  return `"${oneLine(reply.text, 120)}"`;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
