/** Journal meta key: no request before this time (a server's Retry-After applies to the account). */
export const NOT_BEFORE_KEY = 'retry_not_before';
