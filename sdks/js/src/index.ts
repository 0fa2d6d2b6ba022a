// TypeScript SDK for Tidings: `Client` has one method per REST operation (generated from
// spec/openapi.yaml into ./generated), on a hand-written runtime (auth, retries, typed errors).

export { Client, type ClientOptions, type ClientRealtimeOptions, type TokenProvider } from "./client.js";
export * from "./errors.js";
export { defaultRetryPolicy, parseRetryAfter, retryDelayMs, type RetryPolicy } from "./retry.js";
export * from "./generated/models.js";
export { ERRORS, errorInfo, type ErrorCode, type ErrorInfo } from "./generated/errors.js";
export { type ApiRequest, type RequestOptions, SECURITY_SCHEMES } from "./generated/operations.js";
// The realtime client; also its own entry point, `@tidings/sdk/realtime`. Its `Subscription` is
// `RealtimeSubscription` here (`Subscription` is the REST model of a durable subscription).
export {
  Realtime,
  Subscription as RealtimeSubscription,
} from "./realtime/index.js";
export type {
  ActiveTransport,
  ConnectionState,
  GetToken,
  Item,
  RealtimeEventName,
  RealtimeEvents,
  RealtimeOptions,
  SubscribeOptions,
  Transport,
} from "./realtime/index.js";
