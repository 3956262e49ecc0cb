import { AsyncEntry } from '@napi-rs/keyring';

/** Whether a Secret Service keyring answers on the session bus (CI starts one: MMT_SYNC_REQUIRE_KEYCHAIN=1). */
export async function keyringReachable(): Promise<boolean> {
  try {
    await new AsyncEntry('mmt-sync-probe', 'probe', { linux: { store: 'secret-service' } }).getSecret();
    return true;
  } catch {
    return false;
  }
}
