// The SDK's errors. One root; an answer of the server is an `APIStatusError`.
//
//   TidingsError
//   ├── APIConnectionError        no answer: refused, reset, DNS, TLS
//   │   └── APITimeoutError       no answer in time
//   ├── APIResponseError          a successful answer that is not the JSON promised
//   ├── APIStatusError            an error status; `code`, `requestId`, `retryAfter`
//   │   ├── BadRequestError       400, 422
//   │   ├── AuthenticationError   401
//   │   ├── PermissionDeniedError 403
//   │   ├── NotFoundError         404
//   │   ├── ConflictError         409
//   │   ├── RateLimitError        429
//   │   └── ServerError           5xx
//   └── RealtimeError             a realtime connection or subscription failed; `code`, `closeCode`
//       ├── SubscriptionError     the server refused one subscription; the others carry on
//       └── ConnectionTerminated  a terminal close: reconnecting would not cure it

import { errorInfo, type ErrorInfo } from "./generated/errors.js";
import type { Problem } from "./generated/models.js";

export class TidingsError extends Error {
  override name = "TidingsError";
}

export class APIConnectionError extends TidingsError {
  override name = "APIConnectionError";
}

export class APITimeoutError extends APIConnectionError {
  override name = "APITimeoutError";
}

export class APIResponseError extends TidingsError {
  override name = "APIResponseError";
}

export interface StatusErrorInit {
  requestId?: string | undefined;
  /** Seconds, from `Retry-After`. */
  retryAfter?: number | undefined;
}

export class APIStatusError extends TidingsError {
  override name = "APIStatusError";
  /** The stable machine-readable code (spec/errors.yaml), when the body was a problem. */
  readonly code: string | undefined;
  /** Quote it to support: the problem's own id, else the `X-Request-ID` header. */
  readonly requestId: string | undefined;
  /** Seconds the server asked to wait before retrying. */
  readonly retryAfter: number | undefined;
  readonly problem: Problem | undefined;

  constructor(
    readonly status: number,
    readonly body: unknown,
    init: StatusErrorInit = {},
  ) {
    const problem = asProblem(body);
    const code = problem?.code;
    const requestId = problem?.request_id ?? init.requestId;
    const detail = problem ? (problem.detail ?? problem.title) : undefined;
    super(
      `HTTP ${status}${code ? ` ${code}` : ""}${detail ? `: ${detail}` : ""}${requestId ? ` (request id ${requestId})` : ""}`,
    );
    this.problem = problem;
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = init.retryAfter;
  }

  /** The registry entry of `code`; undefined if absent or newer than this SDK. */
  get errorInfo(): ErrorInfo | undefined {
    return this.code === undefined ? undefined : errorInfo(this.code);
  }
}

export class BadRequestError extends APIStatusError {
  override name = "BadRequestError";
}
export class AuthenticationError extends APIStatusError {
  override name = "AuthenticationError";
}
export class PermissionDeniedError extends APIStatusError {
  override name = "PermissionDeniedError";
}
export class NotFoundError extends APIStatusError {
  override name = "NotFoundError";
}
export class ConflictError extends APIStatusError {
  override name = "ConflictError";
}
export class RateLimitError extends APIStatusError {
  override name = "RateLimitError";
}
export class ServerError extends APIStatusError {
  override name = "ServerError";
}

const BY_STATUS: Record<number, typeof APIStatusError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: BadRequestError,
  429: RateLimitError,
};

/** The error for an error answer, by status. */
export function statusError(status: number, body: unknown, init: StatusErrorInit = {}): APIStatusError {
  const Class = BY_STATUS[status] ?? (status >= 500 ? ServerError : APIStatusError);
  return new Class(status, body, init);
}

function asProblem(body: unknown): Problem | undefined {
  // Only trust the shape we rely on: a proxy's HTML error page must not look like a problem.
  if (typeof body !== "object" || body === null) return undefined;
  const candidate = body as Record<string, unknown>;
  return typeof candidate["code"] === "string" && typeof candidate["title"] === "string"
    ? (body as Problem)
    : undefined;
}

// --- realtime ----------------------------------------------------------------------------------

export interface RealtimeErrorInit {
  /** The registry code (spec/errors.yaml), when the server gave one. */
  code?: string | undefined;
  /** The WebSocket close code, when the connection was closed with one. */
  closeCode?: number | undefined;
  cause?: unknown;
}

/** A realtime connection or subscription failed. */
export class RealtimeError extends TidingsError {
  override name = "RealtimeError";
  readonly code: string | undefined;
  readonly closeCode: number | undefined;

  constructor(message: string, init: RealtimeErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.closeCode = init.closeCode;
  }

  /** The registry entry of `code`; undefined if absent or newer than this SDK. */
  get errorInfo(): ErrorInfo | undefined {
    return this.code === undefined ? undefined : errorInfo(this.code);
  }
}

/**
 * The server refused a frame of this subscription (`forbidden`, `too_many_subscriptions`,
 * `invalid_cursor`, ...); the connection and the other subscriptions carry on.
 */
export class SubscriptionError extends RealtimeError {
  override name = "SubscriptionError";
}

/**
 * The server ended the connection for a reason that reconnecting would not cure (a close code
 * whose registry `action` is `terminal`: `unauthenticated`, `forbidden`, ...).
 */
export class ConnectionTerminated extends RealtimeError {
  override name = "ConnectionTerminated";
}
