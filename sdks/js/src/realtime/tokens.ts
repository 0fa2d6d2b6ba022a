// When a realtime connection's credential expires, and when to replace it.
//
// The SDK never verifies a token (the server does); it only reads the `exp` claim of a JWT to
// know when to ask `getToken()` for a fresh one. An API key, or a token whose expiry cannot be
// read, is never refreshed proactively: the server's `token_expired` close (4402) then makes the
// connection reconnect with whatever `getToken()` gives next.

/** The `exp` claim of a JWT in epoch milliseconds, unverified; undefined if there is none. */
export function jwtExpiryMs(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const payload = (parts[1] as string).replace(/-/g, "+").replace(/_/g, "/");
  let claims: unknown;
  try {
    claims = JSON.parse(atob(payload + "=".repeat((4 - (payload.length % 4)) % 4)));
  } catch {
    return undefined;
  }
  if (typeof claims !== "object" || claims === null) return undefined;
  const exp = (claims as Record<string, unknown>)["exp"];
  return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
}

/** An RFC 3339 timestamp (`authed.expires_at`) in epoch milliseconds; undefined if unreadable. */
export function parseTimestampMs(text: string): number | undefined {
  const when = Date.parse(text);
  return Number.isNaN(when) ? undefined : when;
}

/**
 * Milliseconds from `now` until the credential expiring at `expiresAt` should be replaced:
 * `before` ahead of expiry, but never more than half the remaining lifetime ahead (a token that
 * lives 30 s refreshed "60 s early" would be replaced in a loop).
 */
export function refreshDelayMs(expiresAt: number, now: number, before: number): number {
  const remaining = expiresAt - now;
  return Math.max(0, remaining - Math.min(before, remaining / 2));
}
