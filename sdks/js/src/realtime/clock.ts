// Time and chance, injectable: a test passes a clock it advances by hand and a fixed `random`,
// so backoff, heartbeats and token refresh are deterministic without sleeping.

export type TimerHandle = unknown;

export interface Clock {
  /** Epoch milliseconds (token expiry is wall-clock time). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** Reconnection backoff: exponential with full jitter, `Retry-After` first. */
export interface ReconnectPolicy {
  /** Milliseconds: the cap of the first backoff; it doubles with each failed attempt in a row. */
  readonly baseDelayMs: number;
  /** No backoff is longer. */
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is cut to it. */
  readonly maxRetryAfterMs: number;
  /** Failed attempts in a row, after the first, before giving up; undefined: never give up. */
  readonly maxAttempts: number | undefined;
  /** A uniform draw in [0, 1); tests fix it. */
  readonly random: () => number;
  /** How to wait between attempts; default the clock's timer. Tests pass one that records. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

export const defaultReconnectPolicy: ReconnectPolicy = {
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  maxAttempts: undefined,
  random: Math.random,
};

/**
 * Milliseconds to wait before attempt number `failures` (1 after the first failure): `Retry-After`
 * when the server gave one (seconds), else a uniform draw in
 * [0, min(maxDelay, baseDelay * 2^(failures-1))) — "full jitter", so clients that failed together
 * do not come back together.
 */
export function backoffMs(policy: ReconnectPolicy, failures: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined) {
    return Math.min(Math.max(retryAfterSeconds, 0) * 1000, policy.maxRetryAfterMs);
  }
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(Math.max(failures - 1, 0), 32));
  return cap * Math.min(Math.max(policy.random(), 0), 1);
}

/**
 * A socket that stayed up this long was healthy: the next failure starts the backoff afresh. A
 * shorter life counts as a failed attempt, so a server that accepts then closes at once is not
 * hammered.
 */
export const STABLE_AFTER_MS = 10_000;
/** When the transport gives no heartbeat interval (SSE), silence this long means a dead stream. */
export const SSE_HEARTBEAT_TIMEOUT_MS = 45_000;

/** Consecutive failed attempts after a socket that was up since `upSince` (undefined: never up). */
export function nextFailures(failures: number, upSince: number | undefined, now: number): number {
  if (upSince !== undefined && now - upSince >= STABLE_AFTER_MS) return 1;
  return failures + 1;
}
