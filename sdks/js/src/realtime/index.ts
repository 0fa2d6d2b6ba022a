// Realtime delivery: WebSocket, with Server-Sent Events as the fallback, one API for both.
//
// `new Realtime({ baseUrl, project, getToken })` (or `client.realtime(project)`);
// `await rt.subscribe(pattern)` returns a `Subscription`, an async iterable of `Item`s
// (`EventFrame | Reset`, narrowed by `item.type`). Reconnection, resumption from cursors,
// de-duplication, heartbeats and token refresh are the connection's business; `protocol` is the
// sans-I/O core and `sse` the event-stream parser, both usable on their own.

export {
  Realtime,
  Subscription,
  USER_AGENT,
  type ActiveTransport,
  type ConnectionState,
  type GetToken,
  type RealtimeEventName,
  type RealtimeEvents,
  type RealtimeOptions,
  type SubscribeOptions,
  type Transport,
} from "./connection.js";
export { backoffMs, defaultReconnectPolicy, systemClock, type Clock, type ReconnectPolicy, type TimerHandle } from "./clock.js";
export {
  ClientProtocol,
  closeAction,
  DEDUP_WINDOW,
  encode,
  parseServerFrame,
  ProtocolViolation,
  SubscriptionState,
  topicMatches,
  type CloseAction,
  type Item,
  type Output,
} from "./protocol.js";
export { nodeDialer, queryTokenDialer, type Dialer, type HandshakeRefusal, type WebSocketLike } from "./socket.js";
export { SSEParser, type SSEComment, type SSEMessage } from "./sse.js";
export { jwtExpiryMs, refreshDelayMs } from "./tokens.js";
