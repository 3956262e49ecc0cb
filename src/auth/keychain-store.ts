import { AsyncEntry } from '@napi-rs/keyring';
import { usageError } from '../errors.js';
import type { TokenStore } from './token-store.js';
import { parseStoredTokens, serializeTokens, type StoredTokens } from './tokens.js';

const SERVICE = 'mmt-sync';

function unreachable(cause: unknown) {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return usageError(
    'KEYRING_UNAVAILABLE',
    `the OS keychain is not reachable (${detail}): start a keyring (e.g. gnome-keyring in a desktop session) or set auth.tokenStore: file`,
    cause,
  );
}

/** Tokens in the OS keychain (Secret Service, macOS Keychain, Windows Credential Manager). */
export class KeychainTokenStore implements TokenStore {
  readonly description: string;
  private readonly entry: AsyncEntry;

  constructor(account: string) {
    this.entry = new AsyncEntry(SERVICE, account);
    this.description = `keychain (service "${SERVICE}", account "${account}")`;
  }

  async read(): Promise<StoredTokens | undefined> {
    let text: string | null;
    try {
      text = await this.entry.getPassword();
    } catch (error) {
      throw unreachable(error);
    }
    return text ? parseStoredTokens(text) : undefined;
  }

  async write(tokens: StoredTokens): Promise<void> {
    try {
      await this.entry.setPassword(serializeTokens(tokens));
    } catch (error) {
      throw unreachable(error);
    }
  }

  async delete(): Promise<boolean> {
    try {
      return await this.entry.deletePassword();
    } catch (error) {
      throw unreachable(error);
    }
  }
}
