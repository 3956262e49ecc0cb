import { openAccount, type Account } from '../../auth/account.js';
import { httpRequest } from '../../http/request.js';
import { resolveEndpoint } from '../../http/url.js';
import { loadConfig } from '../../config/load.js';
import { stateDir } from '../../config/paths.js';
import { KeychainUnreachable } from '../../auth/keychain-entry.js';
import { MmtError, failure, loginRequired } from '../../errors.js';
import { localDateTime } from '../../present/present.js';
import type { GlobalOptions } from '../context.js';
import { nodeLineStatus, supportedLines } from '../node-lines.js';
import type { Io } from '../io.js';

export interface DoctorCheck {
  readonly check: string;
  readonly ok: boolean;
  /** Passed, but needs attention soon (e.g. a Node line past its end of life). */
  readonly warning?: boolean;
  readonly detail: string;
  /** What to do about a failed check. */
  readonly fix?: string;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A message without the advice the fix column gives (no line says the same thing twice). */
function withoutAdvice(text: string): string {
  return text.replace(/: (run `mmt-sync (login|setup)`|start a keyring).*$/, '');
}

async function checkToken(account: Account): Promise<DoctorCheck> {
  try {
    const tokens = await account.session.refreshIfDue();
    return { check: 'login', ok: true, detail: `access token valid until ${localDateTime(tokens.expiresAt)}` };
  } catch (error) {
    const login = error instanceof MmtError && error.kind === 'login';
    if (login) return { check: 'login', ok: false, detail: withoutAdvice(message(error)), fix: 'run `mmt-sync login`' };
    if (error instanceof MmtError && error.code === 'CLIENT_NOT_CONFIGURED') return { check: 'login', ok: false, detail: 'cannot log in without the client credentials', fix: 'run `mmt-sync setup`' };
    return { check: 'login', ok: false, detail: message(error) };
  }
}

/** What an HTTP status to a GET of the upload endpoint says about the API (it takes uploads by POST). */
function readStatus(status: number, location: string | null): { ok: boolean; meaning: string; fix?: string } {
  if (status === 405 || status === 401 || status === 403 || status === 400 || (status >= 200 && status < 300)) {
    return { ok: true, meaning: status === 405 ? 'the endpoint is there (uploads are POSTed)' : status === 401 || status === 403 ? 'the endpoint is there and wants a token' : 'the endpoint is there' };
  }
  if (status === 404) return { ok: false, meaning: 'no such endpoint', fix: 'check api.baseUrl and api.paths.uploadActivity' };
  if (status >= 300 && status < 400) return { ok: false, meaning: `a redirect${location ? ` to ${location}` : ''}, which mmt-sync does not follow`, fix: 'set api.baseUrl to where it points' };
  if (status === 429) return { ok: true, meaning: 'rate limited now; uploads wait as the server asks' };
  if (status >= 500) return { ok: false, meaning: 'the server has a problem now; uploads wait and are retried', fix: 'nothing to change here; try later' };
  return { ok: false, meaning: 'an answer the API does not give', fix: 'check api.baseUrl and api.paths.uploadActivity' };
}

async function checkApi(account: Account, uploadUrl: string): Promise<DoctorCheck> {
  const url = new URL(uploadUrl);
  try {
    // Any HTTP answer proves DNS, TLS and routing; the data endpoints need a file to say more.
    // The upload endpoint's own URL: it may be on another host than api.baseUrl.
    const response = await httpRequest({ url: uploadUrl, method: 'GET', timeoutMs: account.endpoints.timeoutMs });
    const read = readStatus(response.status, response.headers.get('location'));
    return { check: 'api', ok: read.ok, detail: `${url.host} answered GET ${url.pathname} with HTTP ${response.status}: ${read.meaning}`, ...(read.fix ? { fix: read.fix } : {}) };
  } catch (error) {
    // The HTTP layer names the request (method and path); the host is what a user checks.
    const why = message(error).replace(/^[A-Z]+ \S+: /, '');
    return { check: 'api', ok: false, detail: `could not reach ${url.host} (${why})`, fix: 'check the network and api.baseUrl' };
  }
}

/** Where the client credentials come from; the secret itself is never shown. */
async function checkClient(account: Account, storeOk: boolean): Promise<DoctorCheck> {
  const { clientId, clientSecret } = account.endpoints;
  if (!clientId) return { check: 'client', ok: false, detail: 'no client id', fix: 'run `mmt-sync setup`' };
  if (clientSecret) return { check: 'client', ok: true, detail: `client id ${clientId}, secret from the config` };
  const stored = storeOk ? await account.clientSecret.read().catch(() => undefined) : undefined;
  return stored
    ? { check: 'client', ok: true, detail: `client id ${clientId}, secret in the ${account.clientSecret.description}` }
    : { check: 'client', ok: false, detail: `client id ${clientId}, but no client secret`, fix: 'run `mmt-sync setup`' };
}

function checkNode(version = process.version, today = new Date()): DoctorCheck {
  const line = nodeLineStatus(version, today);
  if (!line.pastEndOfLife) {
    return { check: 'node', ok: true, detail: `Node ${version}${line.endOfLife ? `, supported until ${line.endOfLife}` : ''}` };
  }
  const lines = supportedLines(today).map(String);
  const moveTo = lines.length > 1 ? `${lines.slice(0, -1).join(', ')} or ${lines.at(-1)}` : lines[0];
  return {
    check: 'node',
    ok: true,
    warning: true,
    detail: `Node ${version} reached its end of life${line.endOfLife ? ` on ${line.endOfLife}` : ''}: no more security fixes`,
    fix: `install Node ${moveTo || 'a supported line'} (then run \`mmt-sync service install\` again if the service is installed)`,
  };
}

/** Each line ok/fail with the fix. Exits 3 when only a login is missing, 1 for anything else. */
export async function runDoctor(options: GlobalOptions, io: Io): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [checkNode()];
  let account: Account | undefined;
  let uploadUrl = '';
  try {
    const loaded = loadConfig(options.config ? { configFile: options.config } : {});
    checks.push({ check: 'config', ok: true, detail: loaded.file ? `${loaded.file} is valid` : 'no config file; defaults apply' });
    account = openAccount(loaded.config, stateDir(), io.log);
    uploadUrl = resolveEndpoint(loaded.config.api.paths.uploadActivity, loaded.config.api.baseUrl);
  } catch (error) {
    checks.push({ check: 'config', ok: false, detail: message(error), fix: 'correct the named setting (see config/default.yaml)' });
  }
  if (account) {
    let storeOk = false;
    try {
      await account.store.read();
      storeOk = true;
      checks.push({ check: 'token store', ok: true, detail: `${account.store.description} is reachable` });
    } catch (error) {
      const detail = error instanceof KeychainUnreachable ? `the keychain is unreachable: ${error.detail}` : message(error);
      checks.push({ check: 'token store', ok: false, detail, fix: error instanceof KeychainUnreachable ? 'start a keyring or set auth.tokenStore: file' : 'see the message' });
    }
    checks.push(await checkClient(account, storeOk));
    if (storeOk) checks.push(await checkToken(account));
    checks.push(await checkApi(account, uploadUrl));
  }
  if (options.json) io.out(JSON.stringify(checks, null, 2));
  else io.out(checks.map((c) => `${c.ok ? (c.warning ? 'warn' : 'ok  ') : 'FAIL'}  ${c.check}: ${c.detail}${c.fix && (!c.ok || c.warning) ? ` — fix: ${c.fix}` : ''}`).join('\n'));
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 1 && failed[0]?.check === 'login') throw loginRequired(`${failed[0].detail}: ${failed[0].fix ?? 'run `mmt-sync login`'}`);
  if (failed.length) throw failure('DOCTOR_FAILED', `${failed.length} check${failed.length > 1 ? 's' : ''} failed: ${failed.map((c) => c.check).join(', ')}`);
  return checks;
}
