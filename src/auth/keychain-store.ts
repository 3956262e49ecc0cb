import type { AsyncEntry } from '@napi-rs/keyring';
import { MmtError, usageError } from '../errors.js';
import type { TokenStore } from './token-store.js';
import { parseStoredTokens, serializeTokens, type StoredTokens } from './tokens.js';

const SERVICE = 'mmt-sync';

function unreachable(cause: unknown) {
  if (cause instanceof MmtError && cause.code === 'KEYRING_UNAVAILABLE') return cause;
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
  private opened: AsyncEntry | undefined;

  constructor(private readonly account: string) {
    this.description = `keychain (service "${SERVICE}", account "${account}")`;
  }

  /**
   * Opened on first use: opening already talks to the Secret Service and may fail. The
   * native module is loaded only here (10 MB of RSS a `tokenStore: file` user never needs).
   */
  private async entry(): Promise<AsyncEntry> {
    if (this.opened) return this.opened;
    const { AsyncEntry: Entry } = await import('@napi-rs/keyring');
    try {
      // Pinned to the Secret Service: the library's default silently falls back to the
      // kernel keyring, which forgets everything at reboot (a logout nobody asked for).
      this.opened = new Entry(SERVICE, this.account, { linux: { store: 'secret-service' } });
      return this.opened;
    } catch (error) {
      throw unreachable(error);
    }
  }

  async read(): Promise<StoredTokens | undefined> {
    // getSecret, not getPassword: measured here, getPassword resolves null when the
    // store cannot be reached, which would read as "not logged in".
    let bytes: number[] | null;
    try {
      bytes = await (await this.entry()).getSecret();
    } catch (error) {
      throw unreachable(error);
    }
    return bytes ? parseStoredTokens(Buffer.from(bytes).toString('utf8')) : undefined;
  }

  async write(tokens: StoredTokens): Promise<void> {
    try {
      await (await this.entry()).setPassword(serializeTokens(tokens));
    } catch (error) {
      throw unreachable(error);
    }
  }

  async delete(): Promise<boolean> {
    try {
      return await (await this.entry()).deletePassword();
    } catch (error) {
      throw unreachable(error);
    }
  }
}
