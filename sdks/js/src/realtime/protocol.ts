// The client side of the realtime protocol, sans I/O: server frames in, outputs and decisions out.
//
// Nothing here touches a socket or a clock, so every rule is tested with strings alone
// (test/realtime-protocol.test.ts); the WebSocket and SSE transports feed it what they read.
// It is the Python SDK's `tidings.realtime.protocol`, rule for rule:
//
// - Each subscription remembers the cursor of the last event it handed on (or, before any event,
//   the position `subscribed` reported when it went live, or the cursor it started from). After a
//   reconnection it is subscribed again from that cursor, so the server replays exactly what was
//   missed: no gap.
// - A plain subscription drops an event whose cursor it has already handed on (a bounded window of
//   recent cursors), so an overlap between a replay and live delivery is never a duplicate.
//   Cursors are opaque: compared for equality only, never ordered.
// - A durable subscription does not de-duplicate: an unacknowledged event delivered again is the
//   point of it (at least once); the caller acknowledges by the event's cursor.
// - A `reset` moves the subscription's cursor to `oldest_cursor` and is handed to the caller: the
//   events between were removed, and only the caller knows what to do about it.

import { ERRORS, errorInfo } from "../generated/errors.js";
import type {
  Ack,
  Auth,
  Authed,
  ErrorFrame,
  Event,
  EventFrame,
  EventsFrame,
  Ping,
  Reset,
  Subscribe,
  Subscribed,
  Unsubscribe,
  Unsubscribed,
  Welcome,
} from "../generated/models.js";

/** What a subscription yields: an event, or the news that events were removed before it read them. */
export type Item = EventFrame | Reset;
export type CloseAction = "reconnect" | "terminal";
export type OutgoingFrame = Subscribe | Unsubscribe | Ack | Ping | Auth;

/**
 * Cursors remembered per plain subscription to drop a re-sent event. A duplicate can only come
 * from events in flight when a connection is replaced (a replay overlapping live delivery), far
 * fewer than this.
 */
export const DEDUP_WINDOW = 4096;

/** The server sent something that is not a frame of the protocol. */
export class ProtocolViolation extends Error {
  override name = "ProtocolViolation";
}

/** Whether the concrete `topic` matches `pattern` (NATS: `*` one token, final `>` the rest). */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split(".");
  const t = topic.split(".");
  for (let i = 0; i < p.length; i++) {
    const part = p[i];
    if (part === ">") return i < t.length;
    if (i >= t.length || (part !== "*" && part !== t[i])) return false;
  }
  return p.length === t.length;
}

/** A client frame as the text of one WebSocket message. */
export function encode(frame: OutgoingFrame): string {
  return JSON.stringify(frame);
}

/** One subscription's position, kept across connections and transports. */
export class SubscriptionState {
  /** Where to resume: the last cursor handed on, else `subscribed`'s, else the one given. */
  cursor: string | undefined;
  readonly #seen = new Set<string>();
  readonly #order: string[] = [];
  #head = 0;
  // Whether `cursor` comes from an event (or a reset) rather than the start or `subscribed`;
  // `subscribed`'s position only fills in a subscription that has none, lest a replay in flight
  // be skipped.
  #positioned = false;

  constructor(
    readonly pattern: string,
    readonly durable: string | undefined = undefined,
    cursor: string | undefined = undefined,
  ) {
    this.cursor = cursor;
  }

  /** The frame that (re)starts this subscription where it left off. */
  subscribeFrame(frameId?: string): Subscribe {
    const frame: Subscribe = { type: "subscribe", topic: this.pattern };
    if (frameId !== undefined) frame.id = frameId;
    // A durable subscription's position is the server's (acknowledgements); a cursor would skip
    // events that were delivered but never acknowledged.
    if (this.durable !== undefined) frame.durable = this.durable;
    else if (this.cursor !== undefined) frame.cursor = this.cursor;
    return frame;
  }

  /** Whether `event` is new to this subscription; if so it becomes the resume position. */
  accept(event: EventFrame): boolean {
    const cursor = event.cursor;
    if (this.durable === undefined) {
      if (this.#seen.has(cursor)) return false;
      this.#seen.add(cursor);
      this.#order.push(cursor);
      if (this.#order.length - this.#head > DEDUP_WINDOW) {
        this.#seen.delete(this.#order[this.#head] as string);
        this.#head++;
        // Compact now and then so the array does not grow without bound.
        if (this.#head >= DEDUP_WINDOW) {
          this.#order.splice(0, this.#head);
          this.#head = 0;
        }
      }
    }
    this.cursor = cursor;
    this.#positioned = true;
    return true;
  }

  /** `subscribed` arrived (or an SSE stream's `id:`-only record), reporting the live position. */
  confirmed(cursor: string | undefined): void {
    if (cursor !== undefined && this.cursor === undefined && !this.#positioned) this.cursor = cursor;
  }

  reset(oldestCursor: string): void {
    this.cursor = oldestCursor;
    this.#positioned = true;
  }
}

// --- what a received frame means -------------------------------------------------------------

export type Output =
  | { kind: "welcomed"; connectionId: string; heartbeatMs: number; maxFrameBytes: number }
  /** Hand `item` to the caller of the subscription of `pattern`. */
  | { kind: "deliver"; pattern: string; item: Item }
  /** The subscription of `pattern` is live (`subscribed`). */
  | { kind: "confirmed"; pattern: string; frameId: string | undefined }
  /**
   * `unsubscribed`: answering our `unsubscribe` (with its `frameId`), or, unasked, the server
   * ended the subscription of `pattern` (a refreshed credential no longer allows it).
   */
  | { kind: "ended"; pattern: string; frameId: string | undefined }
  | { kind: "reauthed"; frameId: string | undefined; expiresAt: string }
  | { kind: "pong"; frameId: string | undefined }
  /** An `error` frame answering one of our frames; the connection stays open. */
  | { kind: "refused"; frameId: string | undefined; code: string; message: string }
  /** An `error` frame announcing that the server is closing the connection. */
  | ServerErrorOutput;

export interface ServerErrorOutput {
  kind: "server-error";
  code: string;
  message: string;
  closeCode: number | undefined;
  retry: boolean | undefined;
}

/** The subscriptions of one realtime connection object, across its transports and reconnects. */
export class ClientProtocol {
  readonly subscriptions = new Map<string, SubscriptionState>();

  add(pattern: string, options: { cursor?: string | undefined; durable?: string | undefined } = {}): SubscriptionState {
    if (this.subscriptions.has(pattern)) {
      // The server keys subscriptions by pattern: a second one would replace the first.
      throw new TypeError(`already subscribed to ${JSON.stringify(pattern)} on this connection`);
    }
    const state = new SubscriptionState(pattern, options.durable, options.cursor);
    this.subscriptions.set(pattern, state);
    return state;
  }

  remove(pattern: string): void {
    this.subscriptions.delete(pattern);
  }

  /** What one WebSocket message from the server means. */
  receive(data: string): Output[] {
    return this.handle(parseServerFrame(data));
  }

  handle(frame: Record<string, unknown>): Output[] {
    const kind = frame["type"];
    const frameId = typeof frame["id"] === "string" ? frame["id"] : undefined;
    switch (kind) {
      case "event":
        return this.deliverEvents([frame as unknown as EventFrame]);
      case "events": {
        const batch = frame as unknown as EventsFrame;
        if (!Array.isArray(batch.events)) throw new ProtocolViolation("`events` frame without an `events` array");
        return this.deliverEvents(batch.events.map((e) => asEventFrame(e, batch.durable)));
      }
      case "welcome": {
        const welcome = frame as unknown as Welcome;
        return [
          {
            kind: "welcomed",
            connectionId: welcome.connection_id,
            heartbeatMs: welcome.heartbeat_ms,
            maxFrameBytes: welcome.max_frame_bytes,
          },
        ];
      }
      case "subscribed": {
        const subscribed = frame as unknown as Subscribed;
        const state = this.subscriptions.get(subscribed.topic);
        if (state === undefined) return []; // answered after we unsubscribed
        state.confirmed(subscribed.cursor);
        return [{ kind: "confirmed", pattern: state.pattern, frameId }];
      }
      case "reset": {
        const reset = frame as unknown as Reset;
        const state = this.subscriptions.get(reset.topic);
        if (state === undefined) return [];
        state.reset(reset.oldest_cursor);
        return [{ kind: "deliver", pattern: state.pattern, item: reset }];
      }
      case "unsubscribed":
        return [{ kind: "ended", pattern: (frame as unknown as Unsubscribed).topic, frameId }];
      case "authed":
        return [{ kind: "reauthed", frameId, expiresAt: (frame as unknown as Authed).expires_at }];
      case "pong":
        return [{ kind: "pong", frameId }];
      case "error": {
        const error = frame as unknown as ErrorFrame;
        const message = error.message ?? "";
        if (error.close_code !== undefined || !answersAFrame(error.code, frameId)) {
          return [{ kind: "server-error", code: error.code, message, closeCode: error.close_code, retry: error.retry }];
        }
        return [{ kind: "refused", frameId, code: error.code, message }];
      }
      default:
        // A newer server's frame type: ignoring it keeps old clients working.
        return [];
    }
  }

  /** Route events to the subscriptions they belong to, dropping what each has seen. */
  deliverEvents(events: Iterable<EventFrame>): Output[] {
    const out: Output[] = [];
    for (const event of events) {
      const durable = event.durable;
      for (const state of this.subscriptions.values()) {
        if (durable !== undefined) {
          if (state.durable !== durable) continue;
        } else if (state.durable !== undefined || !topicMatches(state.pattern, event.topic)) {
          continue;
        }
        if (state.accept(event)) out.push({ kind: "deliver", pattern: state.pattern, item: event });
      }
    }
    return out;
  }
}

export function parseServerFrame(data: string): Record<string, unknown> {
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch (error) {
    throw new ProtocolViolation(`a server frame is not JSON: ${String(error)}`);
  }
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
    throw new ProtocolViolation("a server frame is a JSON object with a `type`");
  }
  const record = frame as Record<string, unknown>;
  if (typeof record["type"] !== "string") throw new ProtocolViolation("a server frame is a JSON object with a `type`");
  return record;
}

function asEventFrame(event: Event, durable: string | undefined): EventFrame {
  // One shape for the caller whether the event came alone (`event`) or in a batch (`events`).
  const frame: EventFrame = { type: "event", ...event };
  if (durable !== undefined) frame.durable = durable;
  return frame;
}

/**
 * Whether an `error` frame without a close code refuses one of our frames (the connection stays)
 * rather than announcing the end of the connection.
 */
function answersAFrame(code: string, frameId: string | undefined): boolean {
  if (frameId !== undefined) return true;
  const info = errorInfo(code);
  if (info === undefined) return true;
  return info.frame || info.closeCode === null;
}

/** The registry's entry for each WebSocket close code (4000-4999). */
const BY_CLOSE_CODE: ReadonlyMap<number, (typeof ERRORS)[keyof typeof ERRORS]> = new Map(
  Object.values(ERRORS)
    .filter((info) => info.closeCode !== null)
    .map((info) => [info.closeCode as number, info]),
);

// 1002 protocol error, 1003 unsupported data, 1007 invalid payload, 1008 policy violation,
// 1009 message too big, 1010 mandatory extension: the same client would fail the same way.
const TERMINAL_STANDARD_CODES: ReadonlySet<number> = new Set([1002, 1003, 1007, 1008, 1009, 1010]);

/**
 * Whether to reconnect after a connection ended with `closeCode` (and the `error` frame announcing
 * it, if one came).
 *
 * The registry decides: by the close code, else by the error frame's code, else the frame's own
 * `retry`. Standard WebSocket codes that say the peer broke the protocol or policy are terminal;
 * everything else (1000 normal closure, 1001 going away, 1006 a lost connection, 1011 server
 * error, and codes newer than this SDK) reconnects with backoff, resuming from the cursors: a
 * client that gives up on an unknown code would stop for good on a transient cause.
 */
export function closeAction(closeCode: number | undefined, error?: ServerErrorOutput): CloseAction {
  if (closeCode !== undefined) {
    const action = BY_CLOSE_CODE.get(closeCode)?.action;
    if (action) return action;
  }
  if (error !== undefined) {
    const action = errorInfo(error.code)?.action;
    if (action) return action;
    if (error.retry !== undefined) return error.retry ? "reconnect" : "terminal";
  }
  if (closeCode !== undefined && TERMINAL_STANDARD_CODES.has(closeCode)) return "terminal";
  return "reconnect";
}
