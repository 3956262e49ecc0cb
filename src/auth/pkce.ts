import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636 S256: a 43-character verifier and its SHA-256 challenge, both base64url. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export function randomState(): string {
  return randomBytes(16).toString('base64url');
}
