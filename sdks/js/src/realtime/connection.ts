// `Realtime`: one logical realtime connection of a project, and its `Subscription`s.
//
// The connection outlives its sockets. Over WebSocket it is one socket carrying every
// subscription; over SSE each subscription is its own stream. Whatever the transport, when a
// socket ends for a reason the registry calls `reconnect` (or is lost, or falls silent), a new one
// is opened after a backoff (exponential, full jitter) and every subscription resumes from the
// cursor of the last event it handed on: no gap, and duplicates from an overlap are dropped (see
// `protocol`). A `terminal` reason ends every subscription with `ConnectionTerminated`.
//
// Guarantees to a subscription's reader: events of one subscription arrive in the order the
// server sent them, each at most once for a plain subscription (at least once for a durable one,
// until acknowledged); events removed by retention before they could be replayed are announced by
// a `reset` item, never skipped silently.
//
// It behaves as the Python SDK's `tidings.realtime` does; the conformance suite
// (tests/conformance) holds both to the same scenarios.

import {
  APIConnectionError,
  APIStatusError,
  ConnectionTerminated,
  RealtimeError,
  SubscriptionError,
  statusError,
} from "../errors.js";
import type { EventFrame } from "../generated/models.js";
import { isRetryableStatus, parseRetryAfter } from "../retry.js";
import {
  backoffMs,
  defaultReconnectPolicy,
  nextFailures,
  SSE_HEARTBEAT_TIMEOUT_MS,
  systemClock,
  type Clock,
  type ReconnectPolicy,
  type TimerHandle,
} from "./clock.js";
import { ClientProtocol, closeAction, encode, ProtocolViolation, type Item, type Output, type ServerErrorOutput, type SubscriptionState } from "./protocol.js";
import { Channel, defaultDialer, type Dialer, type HandshakeRefusal } from "./socket.js";
import { SSEParser } from "./sse.js";
import { jwtExpiryMs, parseTimestampMs, refreshDelayMs } from "./tokens.js";

export const USER_AGENT = "tidings-js/0.1.0";

/** `auto`: WebSocket, and SSE when the WebSocket cannot be established; or one of them only. */
export type Transport = "auto" | "websocket" | "sse";
export type ActiveTransport = "websocket" | "sse";

/** Returns the credential to connect with; asked before every connection and refresh. */
export type GetToken = () => string | Promise<string>;

export interface RealtimeOptions {
  /** The REST/SSE base URL, e.g. `https://api.example.com`. */
  baseUrl: string;
  /** The WebSocket gateway's base URL; default `baseUrl` with `ws(s)://`. */
  realtimeUrl?: string | undefined;
  project: string;
  /** A server-to-server API key (never in a browser). */
  apiKey?: string | undefined;
  /** A fixed JWT (a client token minted by your backend). */
  token?: string | undefined;
  /** Asked for a credential before each connection and before the current one expires. */
  getToken?: GetToken | undefined;
  transport?: Transport | undefined;
  /** Silence after which a socket is dead; default twice `welcome.heartbeat_ms` (45 s over SSE). */
  heartbeatTimeoutMs?: number | undefined;
  /** With `getToken` handing out JWTs: how long before expiry to replace the credential. */
  tokenRefreshBeforeMs?: number | undefined;
  reconnect?: Partial<ReconnectPolicy> | undefined;
  /** How long a handshake (through `welcome`) may take. */
  openTimeoutMs?: number | undefined;
  clock?: Clock | undefined;
  /** Opens WebSockets; default `ws` on Node, the global `WebSocket` in a browser. */
  webSocket?: Dialer | undefined;
  fetch?: typeof fetch | undefined;
}

export interface SubscribeOptions {
  /** Replay the stored events after this cursor first, then continue live (no gap). */
  cursor?: string | undefined;
  /** A durable subscription's name: its events are acknowledged with `ack` (WebSocket only). */
  durable?: string | undefined;
  /** Called with each item; with it, the subscription does not queue items for iteration. */
  onItem?: ((item: Item) => void) | undefined;
}

export type ConnectionState = "idle" | "connecting" | "connected" | "reconnecting" | "failed" | "closed";

export interface RealtimeEvents {
  connecting: { transport: ActiveTransport; attempt: number };
  connected: { transport: ActiveTransport; connectionId: string | undefined };
  disconnected: { reason: string; closeCode: number | undefined; code: string | undefined };
  reconnecting: { attempt: number; delayMs: number };
  /** The WebSocket could not be established: SSE carries the subscriptions from now on. */
  fallback: { from: "websocket"; to: "sse"; reason: string };
  failed: { error: Error };
  /** The credential was replaced on a live connection (`auth` → `authed`, or an SSE reopen). */
  "token-refreshed": { transport: ActiveTransport };
  subscription: { pattern: string; state: "live" | "ended" | "failed"; error: Error | undefined };
}
export type RealtimeEventName = keyof RealtimeEvents;

// How long an `auth` waits for `authed` before the refresh counts as failed (and is tried again).
const AUTH_TIMEOUT_MS = 10_000;

/** This attempt failed for a reason that may pass: wait, then connect again. */
class Retry extends Error {
  constructor(
    readonly error: Error,
    readonly retryAfter: number | undefined = undefined,
    readonly upSince: number | undefined = undefined,
  ) {
    super(error.message);
  }
}
/** This connection cannot succeed: stop, and end every subscription with `error`. */
class Stop extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}
/** The endpoint does not speak WebSocket (refused, or answered without upgrading). */
class NoWebSocket extends Stop {}
/** The socket, once up, ended for a reason to reconnect after. */
interface Ended {
  reason: string;
  closeCode: number | undefined;
  code: string | undefined;
}

type Queued = { item: Item } | { end: Error | undefined };

/** The items of one subscription: `for await (const item of sub)`, or `onItem`. */
export class Subscription implements AsyncIterable<Item> {
  readonly #rt: Realtime;
  readonly state: SubscriptionState;
  readonly #onItem: ((item: Item) => void) | undefined;
  readonly #queue: Queued[] = [];
  #waiter: ((value: Queued) => void) | undefined;
  #ended = false;
  #live!: { resolve: () => void; reject: (error: Error) => void };
  /** Settles once the server confirmed the subscription (or refused it). */
  readonly live: Promise<void>;
  /** The SSE stream's controller, when SSE carries this subscription. */
  sse: AbortController | undefined;

  constructor(rt: Realtime, state: SubscriptionState, onItem: ((item: Item) => void) | undefined) {
    this.#rt = rt;
    this.state = state;
    this.#onItem = onItem;
    this.live = new Promise<void>((resolve, reject) => (this.#live = { resolve, reject }));
    this.live.catch(() => undefined); // observed by subscribe(); never an unhandled rejection
  }

  get pattern(): string {
    return this.state.pattern;
  }
  get durable(): string | undefined {
    return this.state.durable;
  }
  /** Where this subscription would resume: the cursor of the last event it handed on. */
  get cursor(): string | undefined {
    return this.state.cursor;
  }

  /** The next item; `done` once unsubscribed or closed; rejects if the subscription failed. */
  async next(): Promise<IteratorResult<Item, undefined>> {
    const queued = this.#queue.shift() ?? (await new Promise<Queued>((resolve) => (this.#waiter = resolve)));
    if ("item" in queued) return { value: queued.item, done: false };
    this.#queue.unshift(queued); // the end stays the end for every later call
    if (queued.end !== undefined) throw queued.end;
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterator<Item, undefined> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.unsubscribe();
        return { value: undefined, done: true };
      },
    };
  }

  /** Acknowledge `event` of this durable subscription (see `Realtime.ack`). */
  ack(event: EventFrame): void {
    this.#rt.ack(event);
  }

  /** Stop this subscription; iteration ends after the items already received. */
  async unsubscribe(): Promise<void> {
    await this.#rt.unsubscribe(this);
  }

  // --- called by the connection -------------------------------------------------------------

  put(item: Item): void {
    if (this.#ended) return;
    if (this.#onItem !== undefined) {
      this.#onItem(item);
      return;
    }
    this.#enqueue({ item });
  }

  confirm(): void {
    this.#live.resolve();
  }

  close(error: Error | undefined): void {
    this.#live.reject(error ?? new RealtimeError("the subscription ended before it was confirmed"));
    if (this.#ended) return;
    this.#ended = true;
    this.#enqueue({ end: error });
  }

  #enqueue(queued: Queued): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter(queued);
    } else {
      this.#queue.push(queued);
    }
  }
}

type Listener<K extends RealtimeEventName> = (event: RealtimeEvents[K]) => void;

/**
 * A realtime connection of one project. `await rt.connect()` (or the first `subscribe`) opens it;
 * `await rt.subscribe(pattern)` returns once the server confirmed the subscription.
 */
export class Realtime {
  readonly project: string;
  readonly requestedTransport: Transport;
  /** The transport in use (undefined before the first connection). */
  transport: ActiveTransport | undefined;
  state: ConnectionState = "idle";
  /** Sockets (or SSE streams) opened again after one was lost. */
  reconnects = 0;
  /** Credentials replaced on a live connection. */
  tokenRefreshes = 0;
  /** The WebSocket connection's id from `welcome` (undefined over SSE). */
  connectionId: string | undefined;
  readonly protocol = new ClientProtocol();
  readonly subscriptions = new Map<string, Subscription>();

  readonly #baseUrl: string;
  readonly #realtimeUrl: string;
  readonly #secret: string | undefined;
  readonly #getToken: GetToken | undefined;
  readonly #heartbeatTimeoutMs: number | undefined;
  readonly #refreshBeforeMs: number;
  readonly #policy: ReconnectPolicy;
  readonly #openTimeoutMs: number;
  readonly #clock: Clock;
  readonly #dialer: Dialer | undefined;
  readonly #fetch: typeof fetch;
  readonly #listeners = new Map<RealtimeEventName, Set<(event: never) => void>>();
  #ready: Promise<void> | undefined;
  #readyHandlers: { resolve: () => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;
  #closed = false;
  readonly #stop = new AbortController();
  #ids = 0;
  #everConnected = false;
  // SSE carries the subscriptions because the WebSocket could not be established (`auto`): each
  // later reconnection of a stream first tries the WebSocket again (one probe at a time).
  #fellBack = false;
  #probe: Promise<boolean> | undefined;
  // The open socket whose subscriptions are sent (undefined while connecting or down).
  #channel: Channel | undefined;
  // Frame id → the subscription pattern it subscribes, to route a refusal.
  readonly #subscribeIds = new Map<string, string>();
  readonly #authWaiters = new Map<string, { resolve: (expiresAt: string) => void; reject: (error: Error) => void }>();

  constructor(options: RealtimeOptions) {
    const given = [options.apiKey, options.token, options.getToken].filter((c) => c !== undefined);
    if (given.length > 1) throw new TypeError("give at most one of apiKey, token, getToken");
    if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError(`baseUrl must be http(s): ${options.baseUrl}`);
    const transport = options.transport ?? "auto";
    if (!["auto", "websocket", "sse"].includes(transport)) throw new TypeError(`transport must be auto, websocket or sse`);
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#realtimeUrl = (options.realtimeUrl ?? this.#baseUrl.replace(/^http/, "ws")).replace(/\/+$/, "");
    if (!/^wss?:\/\//.test(this.#realtimeUrl)) throw new TypeError(`realtimeUrl must be ws(s): ${options.realtimeUrl}`);
    this.project = options.project;
    this.requestedTransport = transport;
    this.transport = transport === "sse" ? "sse" : undefined;
    this.#secret = options.apiKey ?? options.token;
    this.#getToken = options.getToken;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs;
    this.#refreshBeforeMs = options.tokenRefreshBeforeMs ?? 30_000;
    this.#policy = { ...defaultReconnectPolicy, ...options.reconnect };
    this.#openTimeoutMs = options.openTimeoutMs ?? 10_000;
    this.#clock = options.clock ?? systemClock;
    this.#dialer = options.webSocket;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  // --- events ---------------------------------------------------------------------------------

  /** Listen to a connection event; returns the function that stops listening. */
  on<K extends RealtimeEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(name);
    if (set === undefined) this.#listeners.set(name, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => set.delete(listener as (event: never) => void);
  }

  #emit<K extends RealtimeEventName>(name: K, event: RealtimeEvents[K]): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(event);
      } catch (error) {
        // A listener's bug must not break the connection.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  // --- lifecycle --------------------------------------------------------------------------------

  /**
   * Connect (WebSocket), or decide on SSE when the WebSocket cannot be established (`auto`).
   * Rejects with the handshake's `APIStatusError` or `ConnectionTerminated` when the server
   * refuses for good, and `APIConnectionError` when `maxAttempts` attempts all failed.
   */
  connect(): Promise<void> {
    if (this.#ready !== undefined) return this.#ready;
    this.#check();
    this.#ready = new Promise<void>((resolve, reject) => (this.#readyHandlers = { resolve, reject }));
    this.#ready.catch(() => undefined);
    if (this.requestedTransport === "sse") {
      this.#opened("sse");
    } else {
      void this.#run();
    }
    return this.#ready.catch(async (error: unknown) => {
      await this.close();
      throw error;
    });
  }

  /** Close the sockets; every subscription's iteration ends (after its received items). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#setState("closed");
    this.#stop.abort();
    this.#channel?.abort("closed by the client");
    for (const sub of this.subscriptions.values()) {
      sub.sse?.abort();
      sub.close(undefined);
    }
    this.subscriptions.clear();
    this.protocol.subscriptions.clear();
    this.#readyHandlers?.reject(new RealtimeError("the connection was closed"));
  }

  // --- subscriptions ------------------------------------------------------------------------------

  /**
   * Subscribe to the events whose topic matches `pattern` (`*` one token, final `>` the rest).
   * Resolves once the server confirmed; rejects with `SubscriptionError` if it refused
   * (`forbidden`, `too_many_subscriptions`, `invalid_cursor`), `TypeError` for a pattern this
   * connection already holds.
   */
  async subscribe(pattern: string, options: SubscribeOptions = {}): Promise<Subscription> {
    await this.connect();
    this.#check();
    if (options.durable !== undefined && this.transport === "sse") {
      throw new RealtimeError("durable subscriptions need the WebSocket transport (SSE has no acks)");
    }
    const state = this.protocol.add(pattern, { cursor: options.cursor, durable: options.durable });
    const sub = new Subscription(this, state, options.onItem);
    this.subscriptions.set(pattern, sub);
    if (this.transport === "sse") void this.#sseRun(sub);
    else if (this.#channel !== undefined) this.#sendSubscribe(this.#channel, state);
    try {
      await sub.live;
    } catch (error) {
      if (this.subscriptions.get(pattern) === sub) await this.unsubscribe(sub);
      throw error;
    }
    return sub;
  }

  /**
   * Acknowledge an event of a durable subscription (by its cursor). Best effort by design: if the
   * socket is down the acknowledgement is not sent and the server delivers the event again (at
   * least once), so a handler must tolerate a repeat.
   */
  ack(event: EventFrame): void {
    if (event.durable === undefined) throw new TypeError("only events of a durable subscription are acknowledged");
    this.#channel?.send(encode({ type: "ack", durable: event.durable, cursor: event.cursor }));
  }

  async unsubscribe(sub: Subscription): Promise<void> {
    if (this.subscriptions.get(sub.pattern) !== sub) return;
    this.#forget(sub);
    if (sub.sse !== undefined) sub.sse.abort();
    else this.#channel?.send(encode({ type: "unsubscribe", id: `u${++this.#ids}`, topic: sub.pattern }));
    sub.close(undefined);
    this.#emit("subscription", { pattern: sub.pattern, state: "ended", error: undefined });
  }

  #forget(sub: Subscription): void {
    if (this.subscriptions.get(sub.pattern) === sub) {
      this.subscriptions.delete(sub.pattern);
      this.protocol.remove(sub.pattern);
    }
  }

  #check(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw new RealtimeError("this realtime connection is closed");
  }

  #setState(state: ConnectionState): void {
    this.state = state;
  }

  #opened(transport: ActiveTransport): void {
    this.transport = transport;
    this.#setState("connected");
    this.#readyHandlers?.resolve();
  }

  #fallBackToSSE(reason: Error): void {
    this.#fellBack = true;
    this.#emit("fallback", { from: "websocket", to: "sse", reason: reason.message });
    this.#opened("sse");
    for (const sub of this.subscriptions.values()) {
      if (sub.durable !== undefined) {
        this.#failSubscription(sub.pattern, new RealtimeError("durable subscriptions need the WebSocket transport"));
      } else {
        void this.#sseRun(sub);
      }
    }
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.#failure = error;
    this.#setState("failed");
    this.#readyHandlers?.reject(error);
    for (const sub of this.subscriptions.values()) {
      sub.sse?.abort();
      sub.close(error);
    }
    this.subscriptions.clear();
    this.protocol.subscriptions.clear();
    this.#emit("failed", { error });
  }

  #failSubscription(pattern: string, error: Error): void {
    const sub = this.subscriptions.get(pattern);
    if (sub === undefined) return;
    this.#forget(sub);
    sub.close(error);
    this.#emit("subscription", { pattern, state: "failed", error });
  }

  async #credential(): Promise<string | undefined> {
    if (this.#getToken !== undefined) return await this.#getToken();
    return this.#secret;
  }

  #url(scheme: "ws" | "http"): string {
    const base = scheme === "ws" ? this.#realtimeUrl : this.#baseUrl;
    return `${base}/v1/projects/${encodeURIComponent(this.project)}/${scheme === "ws" ? "ws" : "stream"}`;
  }

  #attemptsExhausted(failures: number): boolean {
    return this.#policy.maxAttempts !== undefined && failures > this.#policy.maxAttempts;
  }

  /** Resolves after `ms`, or at once when the connection is closed. */
  #sleep(ms: number, signal: AbortSignal = this.#stop.signal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        this.#clock.clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer: TimerHandle = this.#clock.setTimeout(done, ms);
      signal.addEventListener("abort", done);
    });
  }

  // --- the WebSocket reconnect loop ------------------------------------------------------------

  async #run(): Promise<void> {
    let failures = 0;
    let dialer: Dialer;
    try {
      dialer = this.#dialer ?? (await defaultDialer(USER_AGENT));
    } catch (error) {
      return this.#fail(asError(error));
    }
    while (!this.#closed) {
      let upSince: number | undefined;
      let retryAfter: number | undefined;
      let error: Error | undefined;
      let ended: Ended;
      this.#setState(this.#everConnected ? "reconnecting" : "connecting");
      this.#emit("connecting", { transport: "websocket", attempt: failures + 1 });
      try {
        [upSince, ended] = await this.#connection(dialer);
      } catch (caught) {
        if (this.#closed) return;
        if (caught instanceof NoWebSocket || caught instanceof Retry) {
          if (this.requestedTransport === "auto" && !this.#everConnected) return this.#fallBackToSSE(caught.error);
        }
        if (caught instanceof Stop) return this.#fail(caught.error);
        if (!(caught instanceof Retry)) return this.#fail(asError(caught)); // a bug: loudly
        ended = { reason: caught.message, closeCode: undefined, code: undefined };
        error = caught.error;
        retryAfter = caught.retryAfter;
      }
      if (this.#closed) return;
      this.#emit("disconnected", ended);
      failures = nextFailures(failures, upSince, this.#clock.now());
      if (this.#attemptsExhausted(failures)) {
        return this.#fail(error ?? new APIConnectionError(`the realtime connection could not be restored: ${ended.reason}`));
      }
      const delayMs = backoffMs(this.#policy, failures, retryAfter);
      this.#setState("reconnecting");
      this.#emit("reconnecting", { attempt: failures, delayMs });
      await this.#backoff(delayMs);
    }
  }

  #backoff(ms: number): Promise<void> {
    const sleep = this.#policy.sleep;
    if (sleep === undefined) return this.#sleep(ms);
    const signal = this.#stop.signal;
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    return Promise.race([sleep(ms), stopped]);
  }

  /** One socket's life: when it was up since and why it ended; throws if it never got up. */
  async #connection(dialer: Dialer): Promise<[number, Ended]> {
    const token = await this.#credential();
    if (this.#closed) throw new Stop(new RealtimeError("closed"));
    const channel = new Channel(dialer, this.#url("ws"), token, this.#clock);
    const scope = new AbortController();
    const onStop = (): void => channel.abort("closed by the client");
    this.#stop.signal.addEventListener("abort", onStop);
    try {
      const welcome = await this.#welcome(channel);
      const upSince = this.#clock.now();
      if (this.#everConnected) this.reconnects++;
      this.#everConnected = true;
      this.connectionId = welcome.connectionId;
      // Set before the snapshot, with no await between: a `subscribe` from now on sends its own
      // frame, one from before is in the snapshot.
      this.#channel = channel;
      for (const state of this.protocol.subscriptions.values()) this.#sendSubscribe(channel, state);
      this.#opened("websocket");
      this.#emit("connected", { transport: "websocket", connectionId: welcome.connectionId });
      void this.#refreshTokens(channel, token, scope.signal);
      const heartbeat = this.#heartbeatTimeoutMs ?? 2 * welcome.heartbeatMs;
      return [upSince, await this.#read(channel, heartbeat)];
    } finally {
      scope.abort();
      this.#stop.signal.removeEventListener("abort", onStop);
      if (this.#channel === channel) this.#channel = undefined;
      this.#subscribeIds.clear();
      for (const waiter of this.#authWaiters.values()) waiter.reject(new APIConnectionError("the socket closed"));
      this.#authWaiters.clear();
      channel.drop();
    }
  }

  async #welcome(channel: Channel): Promise<Extract<Output, { kind: "welcomed" }>> {
    const deadline = this.#clock.now() + this.#openTimeoutMs;
    let closing: ServerErrorOutput | undefined;
    for (;;) {
      const got = await channel.next(Math.max(deadline - this.#clock.now(), 1));
      if (got.kind === "open") continue;
      if (got.kind === "timeout") throw new Retry(new APIConnectionError("no `welcome` from the server in time"));
      if (got.kind === "closed") {
        if (got.refusal !== undefined) throw refusalError(got.refusal);
        throw endOf(got.code, closing, true);
      }
      let outputs: Output[];
      try {
        outputs = this.protocol.receive(got.data);
      } catch (error) {
        throw new NoWebSocket(asError(error));
      }
      const first = outputs[0];
      if (first?.kind === "welcomed") return first;
      // A server refusing after the upgrade says why, then closes.
      closing = outputs.find((o): o is ServerErrorOutput => o.kind === "server-error") ?? closing;
      if (closing === undefined) {
        throw new NoWebSocket(new ProtocolViolation(`the first frame is not \`welcome\`: ${got.data.slice(0, 200)}`));
      }
    }
  }

  /** Read until the socket ends; why it ended, when that is a reason to reconnect. */
  async #read(channel: Channel, heartbeatMs: number): Promise<Ended> {
    let closing: ServerErrorOutput | undefined;
    let pinged = false;
    for (;;) {
      const got = await channel.next(heartbeatMs / 2);
      if (got.kind === "timeout") {
        if (pinged) {
          // Twice the heartbeat without a byte: the peer or the path is gone, and nothing will
          // tell us (no FIN, no RST through a dead NAT).
          return { reason: "heartbeat timeout", closeCode: undefined, code: undefined };
        }
        pinged = true;
        channel.send(encode({ type: "ping" }));
        continue;
      }
      if (got.kind === "closed") {
        if (this.#closed) throw new Stop(new RealtimeError("closed"));
        const end = endOf(got.code, closing, false);
        if (end instanceof Stop) throw end;
        return { reason: end.message, closeCode: got.code, code: closing?.code };
      }
      if (got.kind === "open") continue;
      pinged = false;
      let outputs: Output[];
      try {
        outputs = this.protocol.receive(got.data);
      } catch (error) {
        // A garbled frame loses what it carried: a new socket resumes from the cursors, so the
        // events come again, whole.
        return { reason: `protocol violation: ${asError(error).message}`, closeCode: undefined, code: undefined };
      }
      for (const output of outputs) {
        switch (output.kind) {
          case "deliver":
            this.subscriptions.get(output.pattern)?.put(output.item);
            break;
          case "confirmed": {
            this.#subscribeIds.delete(output.frameId ?? "");
            const sub = this.subscriptions.get(output.pattern);
            if (sub !== undefined) {
              sub.confirm();
              this.#emit("subscription", { pattern: sub.pattern, state: "live", error: undefined });
            }
            break;
          }
          case "refused":
            this.#refused(output);
            break;
          case "reauthed": {
            const waiter = this.#authWaiters.get(output.frameId ?? "");
            this.#authWaiters.delete(output.frameId ?? "");
            waiter?.resolve(output.expiresAt);
            break;
          }
          case "ended":
            if (output.frameId?.startsWith("u")) break; // answers our `unsubscribe`
            // Unasked: the refreshed credential no longer allows this pattern.
            this.#failSubscription(
              output.pattern,
              new SubscriptionError(`the server ended the subscription to ${JSON.stringify(output.pattern)}`, {
                code: "forbidden",
              }),
            );
            break;
          case "server-error":
            closing = output;
            break;
          default:
            break;
        }
      }
    }
  }

  #refused(refusal: Extract<Output, { kind: "refused" }>): void {
    const id = refusal.frameId ?? "";
    const pattern = this.#subscribeIds.get(id);
    if (pattern !== undefined) {
      this.#subscribeIds.delete(id);
      this.#failSubscription(pattern, new SubscriptionError(refusal.message, { code: refusal.code }));
      return;
    }
    const waiter = this.#authWaiters.get(id);
    this.#authWaiters.delete(id);
    waiter?.reject(new SubscriptionError(refusal.message, { code: refusal.code }));
  }

  #sendSubscribe(channel: Channel, state: SubscriptionState): void {
    const frameId = `s${++this.#ids}`;
    this.#subscribeIds.set(frameId, state.pattern);
    channel.send(encode(state.subscribeFrame(frameId)));
  }

  // --- token refresh (WebSocket: `auth` in band) ---------------------------------------------

  async #refreshTokens(channel: Channel, token: string | undefined, signal: AbortSignal): Promise<void> {
    if (this.#getToken === undefined || !token) return;
    let expiresAt = jwtExpiryMs(token);
    let failures = 0;
    while (expiresAt !== undefined && !signal.aborted) {
      await this.#sleep(refreshDelayMs(expiresAt, this.#clock.now(), this.#refreshBeforeMs), signal);
      if (signal.aborted) return;
      let fresh: string;
      let confirmed: string;
      try {
        fresh = await this.#getToken();
        if (!fresh || signal.aborted) return;
        const frameId = `a${++this.#ids}`;
        const answer = new Promise<string>((resolve, reject) => this.#authWaiters.set(frameId, { resolve, reject }));
        const timer = this.#clock.setTimeout(() => {
          this.#authWaiters.get(frameId)?.reject(new APIConnectionError("no `authed` in time"));
          this.#authWaiters.delete(frameId);
        }, AUTH_TIMEOUT_MS);
        channel.send(encode({ type: "auth", id: frameId, token: fresh }));
        try {
          confirmed = await answer;
        } finally {
          this.#clock.clearTimeout(timer);
        }
      } catch {
        if (signal.aborted) return;
        // A provider's or server's failure: try again after a backoff; the server's 4402 close
        // reconnects with a fresh token if it comes to that.
        failures++;
        await this.#sleep(backoffMs(this.#policy, failures) + 1, signal);
        continue;
      }
      failures = 0;
      this.tokenRefreshes++;
      this.#emit("token-refreshed", { transport: "websocket" });
      expiresAt = parseTimestampMs(confirmed) ?? jwtExpiryMs(fresh);
    }
  }

  // --- SSE: one stream per subscription, resumed with `Last-Event-ID` ------------------------

  /** Keep `sub`'s stream open until it is unsubscribed, closed, or fails for good. */
  async #sseRun(sub: Subscription): Promise<void> {
    let failures = 0;
    let refreshing = false;
    let everUp = false;
    while (!this.#closed && this.transport === "sse" && this.subscriptions.get(sub.pattern) === sub) {
      const controller = new AbortController();
      sub.sse = controller;
      let upSince: number | undefined;
      let retryAfter: number | undefined;
      let reason = "the stream ended";
      let error: Error | undefined;
      try {
        const outcome = await this.#sseStream(sub, controller, refreshing, everUp);
        everUp = true;
        if (outcome.refresh) {
          refreshing = true;
          continue;
        }
        upSince = outcome.upSince;
      } catch (caught) {
        if (this.#closed || this.transport !== "sse" || this.subscriptions.get(sub.pattern) !== sub) return;
        if (caught instanceof Retry) {
          reason = caught.message;
          error = caught.error;
          retryAfter = caught.retryAfter;
          upSince = caught.upSince;
          if (upSince !== undefined) everUp = true;
        } else if (caught instanceof ConnectionTerminated) {
          return this.#fail(caught);
        } else {
          return this.#failSubscription(sub.pattern, asError(caught));
        }
      }
      refreshing = false;
      if (this.#closed || this.subscriptions.get(sub.pattern) !== sub) return;
      this.#emit("disconnected", { reason, closeCode: undefined, code: undefined });
      failures = nextFailures(failures, upSince, this.#clock.now());
      if (this.#attemptsExhausted(failures)) {
        return this.#failSubscription(sub.pattern, error ?? new APIConnectionError(reason));
      }
      const delayMs = backoffMs(this.#policy, failures, retryAfter);
      this.#emit("reconnecting", { attempt: failures, delayMs });
      await this.#backoff(delayMs);
      if (await this.#backToWebSocket()) return;
    }
  }

  /**
   * After a fallback, whether the WebSocket works again: one handshake through `welcome`; if it
   * does, the WebSocket loop takes every subscription over from its cursor and the SSE streams end.
   */
  #backToWebSocket(): Promise<boolean> {
    if (!this.#fellBack || this.#closed || this.transport !== "sse") return Promise.resolve(false);
    this.#probe ??= (async () => {
      let channel: Channel | undefined;
      try {
        const dialer = this.#dialer ?? (await defaultDialer(USER_AGENT));
        channel = new Channel(dialer, this.#url("ws"), await this.#credential(), this.#clock);
        await this.#welcome(channel);
      } catch {
        return false;
      } finally {
        channel?.drop();
        this.#probe = undefined;
      }
      if (this.#closed || this.transport !== "sse") return false;
      this.#fellBack = false;
      this.transport = "websocket";
      this.reconnects++;
      for (const sub of this.subscriptions.values()) {
        sub.sse?.abort();
        sub.sse = undefined;
      }
      void this.#run();
      return true;
    })();
    return this.#probe;
  }

  async #sseStream(
    sub: Subscription,
    controller: AbortController,
    refreshing: boolean,
    everUp: boolean,
  ): Promise<{ refresh: boolean; upSince: number }> {
    const state = sub.state;
    const token = await this.#credential();
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (token) headers["authorization"] = `Bearer ${token}`;
    if (state.cursor !== undefined) headers["last-event-id"] = state.cursor;
    const url = new URL(this.#url("http"));
    url.searchParams.append("topic", state.pattern);
    const expiresAt = token && this.#getToken !== undefined ? jwtExpiryMs(token) : undefined;
    const silenceMs = this.#heartbeatTimeoutMs ?? SSE_HEARTBEAT_TIMEOUT_MS;
    let upSince: number | undefined;
    let why: "silence" | "refresh" | undefined;
    let timer: TimerHandle = this.#clock.setTimeout(() => {
      why = "silence";
      controller.abort();
    }, this.#openTimeoutMs);
    const stop = (): void => controller.abort();
    this.#stop.signal.addEventListener("abort", stop);
    let refreshTimer: TimerHandle | undefined;
    try {
      const response = await this.#fetch(url, { headers, signal: controller.signal, cache: "no-store" });
      if (response.status !== 200) throw await sseRefusal(response);
      if (response.body === null) throw new Retry(new APIConnectionError("an SSE answer without a body"));
      upSince = this.#clock.now();
      if (refreshing) {
        this.tokenRefreshes++;
        this.#emit("token-refreshed", { transport: "sse" });
      } else if (everUp) {
        this.reconnects++;
      }
      this.#emit("connected", { transport: "sse", connectionId: undefined });
      if (expiresAt !== undefined) {
        refreshTimer = this.#clock.setTimeout(() => {
          why = "refresh";
          controller.abort();
        }, refreshDelayMs(expiresAt, this.#clock.now(), this.#refreshBeforeMs));
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SSEParser();
      let confirmed = false;
      for (;;) {
        this.#clock.clearTimeout(timer);
        timer = this.#clock.setTimeout(() => {
          why = "silence";
          controller.abort();
        }, silenceMs);
        const { value, done } = await reader.read();
        if (done) return { refresh: false, upSince };
        if (!confirmed) {
          // Live once the first bytes arrive: the server writes them after it started the
          // subscription (the response's headers come before).
          confirmed = true;
          sub.confirm();
          this.#emit("subscription", { pattern: sub.pattern, state: "live", error: undefined });
        }
        for (const message of parser.feed(value)) {
          if (message.kind === "comment") continue; // a heartbeat: its arrival reset the timer
          this.#sseMessage(sub, message.event, message.data);
        }
        // A position given without an event (`id:` alone) is where the stream went live: a
        // subscription that has seen no event yet resumes from there.
        if (parser.lastEventId !== undefined) state.confirmed(parser.lastEventId);
      }
    } catch (error) {
      if (why === "refresh") return { refresh: true, upSince: upSince ?? this.#clock.now() };
      if (error instanceof Retry) throw new Retry(error.error, error.retryAfter, upSince);
      if (error instanceof APIStatusError || error instanceof RealtimeError) throw error;
      const detail = why === "silence" ? "the stream fell silent" : String(asError(error).message);
      throw new Retry(new APIConnectionError(`SSE ${url.pathname}: ${detail}`, { cause: error }), undefined, upSince);
    } finally {
      this.#clock.clearTimeout(timer);
      if (refreshTimer !== undefined) this.#clock.clearTimeout(refreshTimer);
      this.#stop.signal.removeEventListener("abort", stop);
      controller.abort();
    }
  }

  #sseMessage(sub: Subscription, event: string, data: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(data) as Record<string, unknown>;
    } catch {
      // Garbled: a new stream resumes from the cursor and brings the event again, whole.
      throw new Retry(new APIConnectionError("a garbled SSE message"));
    }
    if (event === "event") {
      const item = { ...frame, type: "event" } as unknown as EventFrame;
      if (sub.state.accept(item)) sub.put(item);
    } else if (event === "reset") {
      const item = { ...frame, type: "reset" } as unknown as Extract<Item, { type: "reset" }>;
      sub.state.reset(item.oldest_cursor);
      sub.put(item);
    } else if (event === "error") {
      const error: ServerErrorOutput = {
        kind: "server-error",
        code: String(frame["code"]),
        message: typeof frame["message"] === "string" ? frame["message"] : "",
        closeCode: typeof frame["close_code"] === "number" ? frame["close_code"] : undefined,
        retry: typeof frame["retry"] === "boolean" ? frame["retry"] : undefined,
      };
      if (closeAction(undefined, error) === "terminal") {
        throw new ConnectionTerminated(error.message, { code: error.code });
      }
      if (REFUSES_SUBSCRIPTION.has(error.code)) throw new SubscriptionError(error.message, { code: error.code });
      throw new Retry(new APIConnectionError(`the server ended the stream: ${error.code}`));
    }
  }
}

// Frame-level refusals over SSE would recur on every reconnection with the same request: the
// subscription ends instead.
const REFUSES_SUBSCRIPTION = new Set(["invalid_cursor", "too_many_subscriptions", "not_subscribed", "invalid_frame"]);

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** What a closed socket means: `Stop` for a terminal close, else `Retry` (while opening) or an end. */
function endOf(closeCode: number | undefined, closing: ServerErrorOutput | undefined, opening: boolean): Error {
  if (closeAction(closeCode, closing) === "terminal") {
    const message = closing?.message ?? `closed with code ${closeCode}`;
    return new Stop(new ConnectionTerminated(message, { code: closing?.code, closeCode }));
  }
  const reason = `closed with code ${closeCode}${closing ? ` (${closing.code})` : ""}`;
  return opening ? new Retry(new APIConnectionError(`the connection ${reason} during its opening`)) : new Error(reason);
}

/** A handshake answered with a status: retried (408/429/5xx), terminal (401/403), or no WebSocket here. */
function refusalError(refusal: HandshakeRefusal): Error {
  const error = statusError(refusal.status, refusal.body, {
    requestId: refusal.requestId,
    retryAfter: parseRetryAfter(refusal.retryAfter),
  });
  if (isRetryableStatus(refusal.status)) return new Retry(error, error.retryAfter);
  if (refusal.status === 401 || refusal.status === 403) return new Stop(error);
  return new NoWebSocket(error);
}

async function sseRefusal(response: Response): Promise<Error> {
  const text = await response.text().catch(() => "");
  let body: unknown = text === "" ? undefined : text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  const error = statusError(response.status, body, {
    requestId: response.headers.get("x-request-id") ?? undefined,
    retryAfter: parseRetryAfter(response.headers.get("retry-after")),
  });
  return isRetryableStatus(response.status) ? new Retry(error, error.retryAfter) : error;
}
