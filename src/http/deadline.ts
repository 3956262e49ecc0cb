/**
 * A request deadline that knows the difference between a silent server and a frozen
 * process. A timer that fires much later than it was due means this process did not run
 * for a while (a laptop suspended, SIGSTOP, a starved machine): the server may well have
 * answered meanwhile, and the answer is waiting in the socket. For a token refresh that
 * answer is the only copy of the rotated pair, so before giving up the request gets a short
 * grace to read it. A server that is merely slow gets no extra time.
 */

/** How late a timer must fire to count as "the process was frozen". */
const FROZEN_AFTER_MS = 1_000;
/** How long a request that outlived a freeze may still take to deliver what arrived. */
export const FROZEN_GRACE_MS = 5_000;

export interface Deadline {
  readonly signal: AbortSignal;
  /** Whether the deadline (not a caller) ended the request. */
  readonly expired: () => boolean;
  readonly clear: () => void;
}

export function requestDeadline(timeoutMs: number, graceMs = FROZEN_GRACE_MS): Deadline {
  const controller = new AbortController();
  let timer: NodeJS.Timeout;
  let graced = false;
  const arm = (ms: number) => {
    const due = Date.now() + ms;
    timer = setTimeout(() => {
      if (!graced && Date.now() - due > FROZEN_AFTER_MS) {
        graced = true;
        arm(graceMs);
        return;
      }
      controller.abort(new DOMException('the request deadline passed', 'TimeoutError'));
    }, ms);
    // Like AbortSignal.timeout: a pending deadline never keeps the process alive.
    timer.unref();
  };
  arm(timeoutMs);
  return { signal: controller.signal, expired: () => controller.signal.aborted, clear: () => clearTimeout(timer) };
}
