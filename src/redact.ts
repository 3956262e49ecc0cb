/**
 * The one place secrets are taken out of text that leaves the process (log lines,
 * error messages, stack traces). Two nets: exact values registered as secrets at
 * runtime (tokens, client secret, authorization codes), and patterns for the
 * places secrets travel in (headers, form bodies, JSON, URLs), for values we never saw.
 */
const MASK = '[redacted]';
const secrets = new Set<string>();

/** Short values would mask ordinary words; real tokens and secrets are long. */
const MIN_SECRET_LENGTH = 6;

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${MASK}`],
  [/\b(authorization)(["']?\s*[:=]\s*["']?)[^"'\s,}]+/gi, `$1$2${MASK}`],
  [
    /\b(access_token|refresh_token|id_token|client_secret|clientSecret|accessToken|refreshToken|code_verifier)(["']?\s*[:=]\s*["']?)[^"'\s&,}]+/g,
    `$1$2${MASK}`,
  ],
  // Authorization codes and tokens in query strings and form bodies; `code:` alone is an errno.
  [/(^|[?&\s])(code|token)=[^&\s"']+/g, `$1$2=${MASK}`],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Redacts every string inside a structured value (for JSON log lines). */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = /token|secret|authorization|password|code_verifier/i.test(key) ? MASK : redactDeep(item, depth + 1);
  }
  return out;
}
