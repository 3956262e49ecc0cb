import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { registerSecret } from '../redact.js';

/**
 * Who may use the dashboard. A URL carries a one-time token signed with the dashboard's
 * key (`<expiry>.<nonce>.<mac>`), so `mmt-sync ui --print-url` can mint one from the key
 * file alone, without talking to the server. Redeeming a token spends it and opens a
 * session: from then on only an HttpOnly, SameSite=Strict cookie identifies the browser,
 * and each session has its own CSRF token for the forms that change something.
 * Every token, session id and key is registered for redaction the moment it exists.
 */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
const MAX_SESSIONS = 64;
const SESSION_IDLE_MS = 7 * 24 * 3600_000;

export interface Session {
  readonly id: string;
  readonly csrf: string;
  lastSeen: number;
}

export type Redeemed = { readonly session: Session } | { readonly refused: 'malformed' | 'expired' | 'used' };

function sign(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newKey(): Buffer {
  const key = randomBytes(32);
  registerSecret(key.toString('base64'));
  return key;
}

/** A one-time token for the dashboard holding `key`. */
export function mintToken(key: Buffer, now = Date.now()): string {
  const payload = `${(now + TOKEN_LIFETIME_MS).toString(36)}.${randomBytes(18).toString('base64url')}`;
  const token = `${payload}.${sign(key, payload)}`;
  registerSecret(token);
  return token;
}

export class Access {
  /** Spent nonces until their token would have expired anyway. */
  private readonly spent = new Map<string, number>();
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly key: Buffer) {}

  redeem(token: string, now = Date.now()): Redeemed {
    const parts = token.split('.');
    if (parts.length !== 3 || token.length > 200) return { refused: 'malformed' };
    const [expiry, nonce, mac] = parts as [string, string, string];
    if (!equal(mac, sign(this.key, `${expiry}.${nonce}`))) return { refused: 'malformed' };
    const expiresAt = parseInt(expiry, 36);
    this.prune(now);
    if (!(expiresAt > now)) return { refused: 'expired' };
    if (this.spent.has(nonce)) return { refused: 'used' };
    this.spent.set(nonce, expiresAt);
    return { session: this.open(now) };
  }

  /** The session a cookie value names, if it is one of ours and still alive. */
  session(id: string | undefined, now = Date.now()): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (now - session.lastSeen > SESSION_IDLE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  csrfMatches(session: Session, presented: string | undefined | null): boolean {
    return typeof presented === 'string' && equal(presented, session.csrf);
  }

  private open(now: number): Session {
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = [...this.sessions.values()].sort((a, b) => a.lastSeen - b.lastSeen)[0]!;
      this.sessions.delete(oldest.id);
    }
    const session: Session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(24).toString('base64url'), lastSeen: now };
    registerSecret(session.id);
    registerSecret(session.csrf);
    this.sessions.set(session.id, session);
    return session;
  }

  private prune(now: number): void {
    for (const [nonce, expiresAt] of this.spent) if (expiresAt <= now) this.spent.delete(nonce);
  }
}
