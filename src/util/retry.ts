import { UserError } from '../errors.js';
import { inert } from './inert.js';

/**
 * Waiting for IAM/ECR to see a change (eventual consistency, a principal that was just created).
 * The SDK's own retry strategy handles throttling and 5xx; this handles "not yet". Sleep and
 * randomness are injectable so tests run instantly.
 */
export interface PropagationOptions {
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
  now?: () => number;
  random?: () => number;
}

/** A wait ended by cancellation (SIGTERM/SIGINT from the runner). */
export class WaitCancelledError extends UserError {
  constructor(what: string) {
    super(`cancelled: stopped waiting for ${what}; the runner asked the step to stop. Nothing more was written.`);
  }
}

const shutdown = new AbortController();

/** Ends every wait now and refuses new ones (the SIGTERM handler calls it): the run winds down at once. */
export function cancelWaits(): void {
  shutdown.abort();
}

/** setTimeout as a promise that SIGTERM ends early (rejects with WaitCancelledError). */
export function cancellableSleep(ms: number, what = 'AWS'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (shutdown.signal.aborted) {
      reject(new WaitCancelledError(what));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new WaitCancelledError(what));
    };
    const timer = setTimeout(() => {
      shutdown.signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    shutdown.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Delays 1 s, 2 s, 4 s … capped at 15 s, with jitter, until the deadline or cancellation. */
export async function waitForPropagation<T>(
  what: string,
  attempt: () => Promise<{ done: true; value: T } | { done: false; reason: string }>,
  options: PropagationOptions,
): Promise<{ done: true; value: T } | { done: false; reason: string; attempts: number }> {
  const sleep = options.sleep ?? ((ms: number) => cancellableSleep(ms, what));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const deadline = now() + options.timeoutMs;
  for (let count = 1; ; count++) {
    if (shutdown.signal.aborted) throw new WaitCancelledError(what);
    const result = await attempt();
    if (result.done) return result;
    const remaining = deadline - now();
    if (remaining <= 0) return { ...result, attempts: count };
    const delay = Math.min(remaining, Math.min(15_000, 1000 * 2 ** (count - 1)) * (0.5 + random() / 2));
    options.log?.(
      `${what}: ${inert(result.reason, 200)}; attempt ${count} failed, retrying in ${(delay / 1000).toFixed(1)}s (gives up after ${Math.round(options.timeoutMs / 1000)}s).`,
    );
    await sleep(delay);
  }
}
