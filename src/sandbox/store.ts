/**
 * The sandbox's state in memory, optionally mirrored to a data directory:
 * state.json (written atomically) plus one file per upload under files/.
 * Handlers mutate the maps synchronously, then await persist() before they
 * answer, so a reply the client saw is never lost by a restart.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { failure, isErrnoException, usageError } from '../errors.js';
import { randomToken } from './crypto.js';
import { writeFileAtomic } from './durable.js';
import {
  type AccessTokenRecord,
  type Activity,
  type FileActivity,
  type RefreshTokenRecord,
  type StateFile,
  StateFileSchema,
  type TokenFamily,
} from './model.js';

export interface ClientCredentials {
  readonly id: string;
  readonly secret: string;
}

export class SandboxStore {
  readonly activities = new Map<number, Activity>();
  /** `account \n sha256` → the first activity with that content (dedupe per account). */
  readonly byContent = new Map<string, number>();
  readonly families = new Map<string, TokenFamily>();
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private nextActivityId = 1;
  /** Uploaded bytes when there is no data directory. */
  private readonly memoryFiles = new Map<number, Buffer>();
  private writing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  private constructor(
    readonly dataDir: string | undefined,
    readonly client: ClientCredentials,
    private readonly unlock: () => Promise<void>,
  ) {}

  /**
   * Locks dataDir (two sandboxes writing one state file would lose uploads)
   * and loads its state.json when there is one. Explicit credentials win
   * over stored ones.
   */
  static async open(dataDir: string | undefined, wanted: Partial<ClientCredentials>): Promise<SandboxStore> {
    const unlock = dataDir ? await lockDataDir(dataDir) : async () => undefined;
    try {
      const saved = dataDir ? await readState(join(dataDir, 'state.json')) : undefined;
      const client = {
        id: wanted.id ?? saved?.client.id ?? `sandbox-${randomToken(9)}`,
        secret: wanted.secret ?? saved?.client.secret ?? randomToken(24),
      };
      const store = new SandboxStore(dataDir, client, unlock);
      if (saved) store.load(saved);
      await store.persist();
      return store;
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  private load(saved: StateFile): void {
    this.nextActivityId = saved.nextActivityId;
    for (const activity of saved.activities) {
      this.activities.set(activity.id, activity);
      if (activity.kind === 'file') this.byContent.set(contentKey(activity.account, activity.sha256), activity.id);
    }
    for (const family of saved.families) this.families.set(family.id, family);
    for (const token of saved.accessTokens) this.accessTokens.set(token.key, token);
    for (const token of saved.refreshTokens) this.refreshTokens.set(token.key, token);
  }

  allocateActivityId(): number {
    return this.nextActivityId++;
  }

  findByContent(account: string, sha256: string): FileActivity | undefined {
    const id = this.byContent.get(contentKey(account, sha256));
    const activity = id === undefined ? undefined : this.activities.get(id);
    return activity?.kind === 'file' ? activity : undefined;
  }

  /** Stores the bytes first, then the record: a record never points at a missing file. */
  async addFileActivity(activity: FileActivity, bytes: Buffer): Promise<void> {
    this.activities.set(activity.id, activity);
    this.byContent.set(contentKey(activity.account, activity.sha256), activity.id);
    try {
      if (this.dataDir) await writeFileAtomic(this.filePath(activity), bytes);
      else this.memoryFiles.set(activity.id, bytes);
      await this.persist();
    } catch (error) {
      this.activities.delete(activity.id);
      this.byContent.delete(contentKey(activity.account, activity.sha256));
      throw error;
    }
  }

  async readActivityFile(activity: FileActivity): Promise<Buffer | undefined> {
    if (!this.dataDir) return this.memoryFiles.get(activity.id);
    try {
      return await readFile(this.filePath(activity));
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private filePath(activity: FileActivity): string {
    return join(this.dataDir!, 'files', `${activity.id}.${activity.format}`);
  }

  /**
   * Writes the state once more after every change made so far. Calls that
   * arrive during a write share the next one, so a burst of uploads costs
   * two writes, not one per upload.
   */
  persist(): Promise<void> {
    if (!this.dataDir) return Promise.resolve();
    if (this.queued) return this.queued;
    const previous = this.writing;
    const next = (async () => {
      await previous?.catch(() => undefined);
      // From here on, new changes need a write of their own.
      this.queued = undefined;
      const write = writeFileAtomic(join(this.dataDir!, 'state.json'), JSON.stringify(this.toStateFile()));
      this.writing = write;
      await write;
    })();
    this.queued = next;
    return next;
  }

  /** Waits for pending writes, then lets another sandbox use the data directory. */
  async close(): Promise<void> {
    await this.queued?.catch(() => undefined);
    await this.writing?.catch(() => undefined);
    await this.unlock();
  }

  private toStateFile(): StateFile {
    const now = Date.now();
    const live = (familyId: string) => this.families.get(familyId)?.revoked === false;
    // Dead tokens are dropped: an unknown token is refused exactly like a revoked one.
    return {
      version: 1,
      client: this.client,
      nextActivityId: this.nextActivityId,
      activities: [...this.activities.values()],
      families: [...this.families.values()],
      accessTokens: [...this.accessTokens.values()].filter((t) => t.expiresAt > now && live(t.familyId)),
      refreshTokens: [...this.refreshTokens.values()].filter((t) => live(t.familyId)),
    };
  }
}

async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    const release = await lockfile.lock(dataDir, {
      lockfilePath: join(dataDir, '.lock'),
      realpath: false,
      // A lock we can no longer refresh means someone took the directory over: say so, do not crash the process.
      onCompromised: (error) => process.stderr.write(`mmt-sync sandbox: lost the lock on ${dataDir}: ${error.message}\n`),
    });
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await release().catch(() => undefined);
    };
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ELOCKED') {
      throw usageError('SANDBOX_DATA_LOCKED', `another sandbox is using ${dataDir}: stop it or pick another data dir`, error);
    }
    throw error;
  }
}

function contentKey(account: string, sha256: string): string {
  return `${account}\n${sha256}`;
}

async function readState(path: string): Promise<StateFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
    throw failure('SANDBOX_STATE', `cannot read sandbox state ${path}: ${String(error)}`, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw failure('SANDBOX_STATE', `sandbox state ${path} is not JSON; move it away or use another data dir`, error);
  }
  const result = StateFileSchema.safeParse(parsed);
  if (!result.success) {
    throw failure(
      'SANDBOX_STATE',
      `sandbox state ${path} has an unexpected shape (${result.error.issues[0]?.message ?? 'invalid'}); move it away or use another data dir`,
    );
  }
  return result.data;
}
