import type { Config } from '../config/schema.js';

/** The resolved URLs and client credentials for one account. */
export interface OAuthEndpoints {
  readonly baseUrl: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly revokeUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs: number;
}

export function endpointsFrom(config: Config): OAuthEndpoints {
  const { api } = config;
  return {
    baseUrl: api.baseUrl,
    authorizeUrl: new URL(api.paths.authorize, api.baseUrl).toString(),
    tokenUrl: new URL(api.paths.token, api.baseUrl).toString(),
    revokeUrl: new URL(api.paths.revoke, api.baseUrl).toString(),
    clientId: api.clientId,
    clientSecret: api.clientSecret,
    timeoutMs: api.timeoutS * 1000,
  };
}
