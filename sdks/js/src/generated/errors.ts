// Generated from spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/typescript) and run `make codegen`.
//
// The error registry (spec/errors.yaml): one entry per stable `code`. REST problems carry the
// code in `code`; realtime error frames carry it too, and the WebSocket close code that follows
// says whether to reconnect and resume (`reconnect`) or stop (`terminal`).

export interface ErrorInfo {
  readonly code: string;
  readonly title: string;
  /** Whether the same request may succeed if retried later unchanged. */
  readonly retryable: boolean;
  /** HTTP status of the problem response; null when the error is realtime-only. */
  readonly status: number | null;
  /** WebSocket close code (4000-4999); null when the error never ends a connection. */
  readonly closeCode: number | null;
  readonly action: "reconnect" | "terminal" | null;
  readonly description: string;
}

export const ERRORS = {
  bad_request: {
    code: "bad_request",
    title: "Bad Request",
    retryable: false,
    status: 400,
    closeCode: null,
    action: null,
    description: "The request could not be understood (malformed syntax).",
  },
  invalid_json: {
    code: "invalid_json",
    title: "Invalid JSON",
    retryable: false,
    status: 400,
    closeCode: null,
    action: null,
    description: "The body is not valid UTF-8 JSON.",
  },
  validation_failed: {
    code: "validation_failed",
    title: "Validation Failed",
    retryable: false,
    status: 400,
    closeCode: null,
    action: null,
    description: "A parameter or the body does not match the schema; `errors` lists the violations.",
  },
  not_found: {
    code: "not_found",
    title: "Not Found",
    retryable: false,
    status: 404,
    closeCode: null,
    action: null,
    description: "No such resource or route.",
  },
  method_not_allowed: {
    code: "method_not_allowed",
    title: "Method Not Allowed",
    retryable: false,
    status: 405,
    closeCode: null,
    action: null,
    description: "The route exists but not with this method; see the `Allow` header.",
  },
  not_acceptable: {
    code: "not_acceptable",
    title: "Not Acceptable",
    retryable: false,
    status: 406,
    closeCode: null,
    action: null,
    description: "The server cannot answer in a media type the `Accept` header allows.",
  },
  payload_too_large: {
    code: "payload_too_large",
    title: "Payload Too Large",
    retryable: false,
    status: 413,
    closeCode: null,
    action: null,
    description: "The request body is over the configured size limit.",
  },
  conflict: {
    code: "conflict",
    title: "Conflict",
    retryable: false,
    status: 409,
    closeCode: null,
    action: null,
    description: "The request conflicts with the current state (a slug or id already taken, the last owner).",
  },
  unsupported_media_type: {
    code: "unsupported_media_type",
    title: "Unsupported Media Type",
    retryable: false,
    status: 415,
    closeCode: null,
    action: null,
    description: "The body's `Content-Type` is not one the operation accepts.",
  },
  unauthenticated: {
    code: "unauthenticated",
    title: "Unauthenticated",
    retryable: false,
    status: 401,
    closeCode: 4401,
    action: "terminal",
    description: "No credential, or one that is malformed, unknown, revoked or expired.",
  },
  forbidden: {
    code: "forbidden",
    title: "Forbidden",
    retryable: false,
    status: 403,
    closeCode: 4403,
    action: "terminal",
    description: "The credential is valid but lacks the permission for this action.",
  },
  signup_closed: {
    code: "signup_closed",
    title: "Sign-up Closed",
    retryable: false,
    status: 403,
    closeCode: null,
    action: null,
    description: "The operator has turned self-service sign-up off; ask for an invitation.",
  },
  rate_limited: {
    code: "rate_limited",
    title: "Too Many Requests",
    retryable: true,
    status: 429,
    closeCode: 4429,
    action: "reconnect",
    description: "A rate limit was reached; retry after `Retry-After` seconds (`RateLimit-*` headers say which limit).",
  },
  internal_error: {
    code: "internal_error",
    title: "Internal Server Error",
    retryable: true,
    status: 500,
    closeCode: 4500,
    action: "reconnect",
    description: "An unexpected error; nothing internal is disclosed. Quote the request id.",
  },
  dependency_unavailable: {
    code: "dependency_unavailable",
    title: "Service Unavailable",
    retryable: true,
    status: 503,
    closeCode: 4503,
    action: "reconnect",
    description: "A dependency (database or JetStream) is unreachable; retry after `Retry-After`.",
  },
  going_away: {
    code: "going_away",
    title: "Going Away",
    retryable: true,
    status: null,
    closeCode: 4001,
    action: "reconnect",
    description: "The node is shutting down; reconnect (to another node) and resume from your cursor.",
  },
  event_too_large: {
    code: "event_too_large",
    title: "Event Too Large",
    retryable: false,
    status: 413,
    closeCode: null,
    action: null,
    description: "An event's `data` is over the event size limit (64 KiB by default); `errors` points at it.",
  },
  schema_violation: {
    code: "schema_violation",
    title: "Schema Violation",
    retryable: false,
    status: 422,
    closeCode: null,
    action: null,
    description: "An event's `data` does not match a schema registered for its topic; `errors` lists each violation with its JSON pointer.",
  },
  idempotency_conflict: {
    code: "idempotency_conflict",
    title: "Idempotency Key Reused",
    retryable: false,
    status: 409,
    closeCode: null,
    action: null,
    description: "The `Idempotency-Key` (or event id) was already used, within the duplicate window, for a different request body.",
  },
  invalid_cursor: {
    code: "invalid_cursor",
    title: "Invalid Cursor",
    retryable: false,
    status: 400,
    closeCode: null,
    action: null,
    description: "The cursor is malformed or was altered; cursors are opaque and must be passed back as received.",
  },
  cursor_expired: {
    code: "cursor_expired",
    title: "Cursor Expired",
    retryable: false,
    status: 410,
    closeCode: null,
    action: null,
    description: "Events after the cursor are no longer stored (retention), or the project's stream was recreated (another epoch); `errors[0].oldest_cursor` is where reading can resume.",
  },
  schema_incompatible: {
    code: "schema_incompatible",
    title: "Schema Incompatible",
    retryable: false,
    status: 409,
    closeCode: null,
    action: null,
    description: "The new schema version is not backward compatible with the current one (the rule is in the `SchemaCreate` description); `errors` lists why.",
  },
} as const satisfies Record<string, ErrorInfo>;

export type ErrorCode = keyof typeof ERRORS;

/** The registry entry of a code, or undefined for a code this SDK does not know yet. */
export function errorInfo(code: string): ErrorInfo | undefined {
  return Object.prototype.hasOwnProperty.call(ERRORS, code) ? ERRORS[code as ErrorCode] : undefined;
}
