import { openAccount, type Account } from '../../auth/account.js';
import { httpRequest } from '../../http/request.js';
import { resolveEndpoint } from '../../http/url.js';
import { loadConfig } from '../../config/load.js';
import { stateDir } from '../../config/paths.js';
import { MmtError, failure, loginRequired } from '../../errors.js';
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

async function checkToken(account: Account): Promise<DoctorCheck> {
  try {
    const tokens = await account.session.refreshIfDue();
    return { check: 'login', ok: true, detail: `access token valid until ${new Date(tokens.expiresAt).toISOString()}` };
  } catch (error) {
    const login = error instanceof MmtError && error.kind === 'login';
    return { check: 'login', ok: false, detail: message(error), fix: login ? 'run `mmt-sync login`' : 'see the message' };
  }
}

async function checkApi(account: Account, uploadUrl: string): Promise<DoctorCheck> {
  try {
    // Any HTTP answer proves DNS, TLS and routing; the data endpoints need a file to say more.
    // The upload endpoint's own URL: it may be on another host than api.baseUrl.
    const response = await httpRequest({ url: uploadUrl, method: 'GET', timeoutMs: account.endpoints.timeoutMs });
    return { check: 'api', ok: true, detail: `${uploadUrl} answered HTTP ${response.status}` };
  } catch (error) {
    return { check: 'api', ok: false, detail: message(error), fix: 'check the network, api.baseUrl and api.paths.uploadActivity' };
  }
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
    const clientOk = Boolean(loaded.config.api.clientId && loaded.config.api.clientSecret);
    checks.push(
      clientOk
        ? { check: 'client', ok: true, detail: `client id ${loaded.config.api.clientId}` }
        : { check: 'client', ok: false, detail: 'api.clientId / api.clientSecret not set', fix: 'set them in the config or MMT_CLIENT_ID / MMT_CLIENT_SECRET' },
    );
    account = openAccount(loaded.config, stateDir(), io.log);
    uploadUrl = resolveEndpoint(loaded.config.api.paths.uploadActivity, loaded.config.api.baseUrl);
  } catch (error) {
    checks.push({ check: 'config', ok: false, detail: message(error), fix: 'correct the named setting (see config/default.yaml)' });
  }
  if (account) {
    try {
      await account.store.read();
      checks.push({ check: 'token store', ok: true, detail: `${account.store.description} is reachable` });
      checks.push(await checkToken(account));
    } catch (error) {
      checks.push({ check: 'token store', ok: false, detail: message(error), fix: 'start a keyring or set auth.tokenStore: file' });
    }
    checks.push(await checkApi(account, uploadUrl));
  }
  if (options.json) io.out(JSON.stringify(checks, null, 2));
  else io.out(checks.map((c) => `${c.ok ? (c.warning ? 'warn' : 'ok  ') : 'FAIL'}  ${c.check}: ${c.detail}${c.fix ? ` — fix: ${c.fix}` : ''}`).join('\n'));
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 1 && failed[0]?.check === 'login') throw loginRequired(failed[0].detail);
  if (failed.length) throw failure('DOCTOR_FAILED', `${failed.length} check${failed.length > 1 ? 's' : ''} failed: ${failed.map((c) => c.check).join(', ')}`);
  return checks;
}
