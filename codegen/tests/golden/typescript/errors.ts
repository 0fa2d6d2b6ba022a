// Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
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
  /** Answered with a realtime `error` frame; the connection stays open. */
  readonly frame: boolean;
}

export const ERRORS = {
  not_found: {
    code: "not_found",
    title: "Not Found",
    retryable: false,
    status: 404,
    closeCode: null,
    action: null,
    description: "No such pet.",
    frame: false,
  },
  rate_limited: {
    code: "rate_limited",
    title: "Too Many Requests",
    retryable: true,
    status: 429,
    closeCode: 4429,
    action: "reconnect",
    description: "",
    frame: false,
  },
  going_away: {
    code: "going_away",
    title: "Going Away",
    retryable: true,
    status: null,
    closeCode: 4001,
    action: "reconnect",
    description: "The node is shutting down.",
    frame: false,
  },
} as const satisfies Record<string, ErrorInfo>;

export type ErrorCode = keyof typeof ERRORS;

/** The registry entry of a code, or undefined for a code this SDK does not know yet. */
export function errorInfo(code: string): ErrorInfo | undefined {
  return Object.prototype.hasOwnProperty.call(ERRORS, code) ? ERRORS[code as ErrorCode] : undefined;
}
