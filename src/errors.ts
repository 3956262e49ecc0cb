/**
 * The few kinds of error mmt-sync knows. Each carries a stable code (for --json
 * and tests) and a human message that already says how to fix it.
 * Only the CLI entry point turns a kind into an exit code (see exitCodeFor).
 */
export type ErrorKind =
  /** Bad command line or configuration: exit 2. */
  | 'usage'
  /** The user must log in again: exit 3. */
  | 'login'
  /** Some work failed or is still pending: exit 1. */
  | 'failed'
  /** A bug or an unexpected environment: exit 1, shown with its stack at -v. */
  | 'internal';

export class MmtError extends Error {
  override readonly name = 'MmtError';
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const usageError = (code: string, message: string, cause?: unknown) =>
  new MmtError('usage', code, message, { cause });

export const loginRequired = (message = 'login required: run `mmt-sync login`', cause?: unknown) =>
  new MmtError('login', 'LOGIN_REQUIRED', message, { cause });

export const failure = (code: string, message: string, cause?: unknown) =>
  new MmtError('failed', code, message, { cause });

/** The one table from error kind to process exit code (documented in --help). */
export const EXIT_CODES = {
  ok: 0,
  failed: 1,
  usage: 2,
  login: 3,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof MmtError) {
    switch (error.kind) {
      case 'usage':
        return EXIT_CODES.usage;
      case 'login':
        return EXIT_CODES.login;
      default:
        return EXIT_CODES.failed;
    }
  }
  return EXIT_CODES.failed;
}

export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}
