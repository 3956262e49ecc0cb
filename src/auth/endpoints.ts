import type { Config } from '../config/schema.js';
import { resolveEndpoint } from '../http/url.js';

/** The resolved URLs, client credentials and server facts for one account. */
export interface OAuthEndpoints {
  readonly baseUrl: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly revokeUrl: string;
  readonly clientId: string;
  /** From the config file or MMT_CLIENT_SECRET; empty when neither gives one (see `storedSecret`). */
  readonly clientSecret: string;
  /** The secret `mmt-sync setup` kept in the token store, read when `clientSecret` is empty. */
  readonly storedSecret?: () => Promise<string | undefined>;
  /** Sent as `scope` on authorize when not empty (some servers refuse a request without one). */
  readonly scope: string;
  /** RFC 9207: when not empty, the authorization response must carry exactly this `iss`. */
  readonly issuer: string;
  readonly timeoutMs: number;
}

export function endpointsFrom(config: Config): OAuthEndpoints {
  const { api } = config;
  return {
    baseUrl: api.baseUrl,
    authorizeUrl: resolveEndpoint(api.paths.authorize, api.baseUrl),
    tokenUrl: resolveEndpoint(api.paths.token, api.baseUrl),
    revokeUrl: resolveEndpoint(api.paths.revoke, api.baseUrl),
    clientId: api.clientId,
    clientSecret: api.clientSecret,
    scope: api.scope,
    issuer: api.issuer,
    timeoutMs: api.timeoutS * 1000,
  };
}
