import { MmtError } from '../errors.js';

/**
 * What went wrong on the wire, in the words the retry logic needs. `too-large`: the reply
 * was over the size any answer of ours can have, and was not read (or reading stopped there).
 */
export type HttpFailureKind = 'timeout' | 'network' | 'aborted' | 'too-large';

const CODES: Record<HttpFailureKind, string> = {
  timeout: 'HTTP_TIMEOUT',
  network: 'NETWORK',
  aborted: 'ABORTED',
  'too-large': 'REPLY_TOO_LARGE',
};

export class HttpFailure extends MmtError {
  constructor(
    readonly failureKind: HttpFailureKind,
    message: string,
    cause?: unknown,
  ) {
    super('failed', CODES[failureKind], message, { cause });
  }
}
