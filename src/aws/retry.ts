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

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Delays 1 s, 2 s, 4 s … capped at 15 s, with jitter, until the deadline. */
export async function waitForPropagation<T>(
  what: string,
  attempt: () => Promise<{ done: true; value: T } | { done: false; reason: string }>,
  options: PropagationOptions,
): Promise<{ done: true; value: T } | { done: false; reason: string; attempts: number }> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const deadline = now() + options.timeoutMs;
  for (let count = 1; ; count++) {
    const result = await attempt();
    if (result.done) return result;
    const remaining = deadline - now();
    if (remaining <= 0) return { ...result, attempts: count };
    const delay = Math.min(remaining, Math.min(15_000, 1000 * 2 ** (count - 1)) * (0.5 + random() / 2));
    options.log?.(`${what}: ${result.reason}; attempt ${count} failed, retrying in ${(delay / 1000).toFixed(1)}s (gives up after ${Math.round(options.timeoutMs / 1000)}s).`);
    await sleep(delay);
  }
}
