// When to retry and how long to wait: exponential backoff with full jitter, `Retry-After` first.

export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  readonly maxRetries: number;
  /** Milliseconds: the cap of the first backoff; it doubles on each retry. */
  readonly baseDelayMs: number;
  /** No backoff is longer. */
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is cut to it, so a confused proxy cannot park the caller. */
  readonly maxRetryAfterMs: number;
  /** How to wait; tests pass one that records instead of sleeping. */
  readonly sleep: (ms: number) => Promise<void>;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Request timeout, rate limited, server errors: worth trying again unchanged. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Milliseconds before retry number `retry` (0-based): `Retry-After` when the server gave one,
 * else a uniform draw in [0, min(maxDelay, baseDelay * 2^retry)) — "full jitter", so clients
 * that failed together do not come back together.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  retryAfterSeconds: number | undefined,
  unit: number = Math.random(),
): number {
  if (retryAfterSeconds !== undefined) {
    return Math.min(Math.max(retryAfterSeconds, 0) * 1000, policy.maxRetryAfterMs);
  }
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry, 32));
  return cap * Math.min(Math.max(unit, 0), 1);
}

/** Seconds from a `Retry-After` header (delay-seconds or an HTTP-date); undefined if unusable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const when = Date.parse(trimmed);
  return Number.isNaN(when) ? undefined : Math.max(0, (when - now) / 1000);
}
