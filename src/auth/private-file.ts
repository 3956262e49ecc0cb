import { readFileSync, rmSync, statSync } from 'node:fs';
import { failure, isErrnoException } from '../errors.js';
import { ensurePrivateDir, writeFileAtomic } from '../fsutil/atomic-write.js';

/** A secret kept in a 0600 file of the 0700 state directory; refused when others can read it. */
export class PrivateFile {
  constructor(
    private readonly stateDir: string,
    readonly path: string,
    /** What it holds, for messages ("token file", "client secret file"). */
    private readonly what: string,
  ) {}

  read(): string | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') return undefined;
      throw failure('TOKEN_STORE_UNREADABLE', `cannot read the ${this.what} ${this.path}: ${(error as Error).message}`, error);
    }
    const mode = statSync(this.path).mode & 0o777;
    if (mode & 0o077) {
      throw failure('TOKEN_STORE_INSECURE', `the ${this.what} ${this.path} is readable by others (mode ${mode.toString(8)}): run chmod 600 on it`);
    }
    return text;
  }

  write(text: string): void {
    ensurePrivateDir(this.stateDir);
    writeFileAtomic(this.path, text, 0o600);
  }

  /** True when something was deleted. */
  delete(): boolean {
    try {
      statSync(this.path);
    } catch {
      return false;
    }
    rmSync(this.path, { force: true });
    return true;
  }
}
