import type { StoredTokens } from './tokens.js';

/** One account's tokens, kept somewhere safer than memory. */
export interface TokenStore {
  /** 'keychain' or 'file', and where, for status and doctor. */
  readonly description: string;
  read(): Promise<StoredTokens | undefined>;
  write(tokens: StoredTokens): Promise<void>;
  /** True when something was deleted. */
  delete(): Promise<boolean>;
}

/** The keychain entry's account name: one entry per API and client. */
export function accountName(baseUrl: string, clientId: string): string {
  return `${baseUrl}#${clientId}`;
}
