import type { AsyncEntry } from '@napi-rs/keyring';
import { MmtError } from '../errors.js';

/** The keychain service every entry of mmt-sync is filed under. */
export const KEYCHAIN_SERVICE = 'mmt-sync';

/**
 * The OS keychain could not be reached (no Secret Service on the session bus, a locked or
 * absent keyring). `detail` is what the keychain said, for "not logged in (keychain
 * unreachable: …)"; the message says what to do.
 */
export class KeychainUnreachable extends MmtError {
  constructor(
    readonly detail: string,
    cause?: unknown,
  ) {
    super(
      'usage',
      'KEYRING_UNAVAILABLE',
      `the OS keychain is not reachable (${detail}): start a keyring (e.g. gnome-keyring in a desktop session) or set auth.tokenStore: file`,
      { cause },
    );
  }
}

function unreachable(cause: unknown): KeychainUnreachable {
  if (cause instanceof KeychainUnreachable) return cause;
  return new KeychainUnreachable(cause instanceof Error ? cause.message : String(cause), cause);
}

/** One text entry of the OS keychain (Secret Service, macOS Keychain, Windows Credential Manager). */
export class KeychainEntry {
  private opened: AsyncEntry | undefined;

  constructor(readonly account: string) {}

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
      this.opened = new Entry(KEYCHAIN_SERVICE, this.account, { linux: { store: 'secret-service' } });
      return this.opened;
    } catch (error) {
      throw unreachable(error);
    }
  }

  async read(): Promise<string | undefined> {
    // getSecret, not getPassword: measured here, getPassword resolves null when the
    // store cannot be reached, which would read as "not logged in".
    let bytes: number[] | null;
    try {
      bytes = await (await this.entry()).getSecret();
    } catch (error) {
      throw unreachable(error);
    }
    return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
  }

  async write(text: string): Promise<void> {
    try {
      await (await this.entry()).setPassword(text);
    } catch (error) {
      throw unreachable(error);
    }
  }

  /** True when something was deleted. */
  async delete(): Promise<boolean> {
    try {
      return await (await this.entry()).deletePassword();
    } catch (error) {
      throw unreachable(error);
    }
  }
}
