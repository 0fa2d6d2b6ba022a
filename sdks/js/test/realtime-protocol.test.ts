// The sans-I/O realtime core with strings alone: routing, resume positions, de-duplication,
// resets, refusals, the close-code decisions; and the SSE parser, the token clock and the backoff.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  backoffMs,
  ClientProtocol,
  closeAction,
  DEDUP_WINDOW,
  defaultReconnectPolicy,
  encode,
  jwtExpiryMs,
  ProtocolViolation,
  refreshDelayMs,
  SSEParser,
  topicMatches,
  type Output,
} from "../src/realtime/index.js";
import type { EventFrame } from "../src/generated/models.js";

function event(n: number, topic = "orders.created", extra: Record<string, unknown> = {}): EventFrame {
  return { type: "event", id: `e${n}`, topic, data: { n }, published_at: "2026-01-01T00:00:00Z", cursor: `c${n}`, ...extra };
}
const frame = (fields: Record<string, unknown>): string => JSON.stringify(fields);
function delivered(outputs: Output[]): Array<[string, string | undefined]> {
  return outputs.flatMap((o) =>
    o.kind === "deliver" ? [[o.pattern, o.item.type === "event" ? o.item.cursor : o.item.oldest_cursor] as [string, string]] : [],
  );
}
function bare(n: number, topic = "orders.created"): Omit<EventFrame, "type"> {
  const { type: _type, ...rest } = event(n, topic);
  return rest;
}

test("topic patterns follow NATS rules", () => {
  assert.ok(topicMatches("orders.*", "orders.created"));
  assert.ok(!topicMatches("orders.*", "orders.created.eu"));
  assert.ok(topicMatches("orders.>", "orders.created.eu"));
  assert.ok(!topicMatches("orders.>", "orders"));
  assert.ok(topicMatches(">", "a"));
  assert.ok(topicMatches("a.*.c", "a.b.c"));
  assert.ok(!topicMatches("a.b", "a.b.c"));
  assert.ok(!topicMatches("a.b.c", "a.b"));
});

test("topic matching follows the shared vectors (spec/vectors/topics.json)", () => {
  const vectors = JSON.parse(readFileSync(new URL("../../../../spec/vectors/topics.json", import.meta.url), "utf8")) as {
    matches: Array<{ pattern: string; topic: string; expected: boolean }>;
  };
  assert.ok(vectors.matches.length > 10);
  for (const { pattern, topic, expected } of vectors.matches) {
    assert.equal(topicMatches(pattern, topic), expected, `${pattern} ~ ${topic}`);
  }
});

test("events go to every matching subscription in order; a batch is unpacked in order", () => {
  const proto = new ClientProtocol();
  proto.add("orders.*");
  proto.add("orders.>");
  proto.add("invoices.*");
  const out = proto.receive(frame({ type: "events", events: [bare(1), bare(2, "orders.a.b")] }));
  assert.deepEqual(delivered(out), [
    ["orders.*", "c1"],
    ["orders.>", "c1"],
    ["orders.>", "c2"],
  ]);
  const first = out[0];
  assert.ok(first?.kind === "deliver");
  assert.equal(first.item.type, "event", "a batched event is handed on in the shape of a single one");
});

test("a re-sent event is dropped and the resume cursor is the last handed on", () => {
  const proto = new ClientProtocol();
  const state = proto.add("orders.*");
  assert.deepEqual(delivered(proto.receive(frame({ ...event(1) }))), [["orders.*", "c1"]]);
  assert.deepEqual(delivered(proto.receive(frame({ type: "events", events: [bare(1), bare(2)] }))), [["orders.*", "c2"]]);
  assert.equal(state.cursor, "c2");
  assert.deepEqual(state.subscribeFrame("s9"), { type: "subscribe", topic: "orders.*", id: "s9", cursor: "c2" });
});

test("the duplicate window is bounded", () => {
  const state = new ClientProtocol().add("t");
  for (let n = 0; n < DEDUP_WINDOW + 10; n++) assert.ok(state.accept(event(n, "t")));
  assert.ok(!state.accept(event(DEDUP_WINDOW + 9, "t")));
  assert.ok(!state.accept(event(10, "t")), "still in the window");
  assert.ok(state.accept(event(0, "t")), "long forgotten");
});

test("subscribed gives the live position only to a subscription without one", () => {
  const proto = new ClientProtocol();
  const fresh = proto.add("a.*");
  const replaying = proto.add("b.*", { cursor: "c10" });
  assert.deepEqual(proto.receive(frame({ type: "subscribed", topic: "a.*", id: "s1", cursor: "c50" })), [
    { kind: "confirmed", pattern: "a.*", frameId: "s1" },
  ]);
  proto.receive(frame({ type: "subscribed", topic: "b.*", cursor: "c50" }));
  assert.equal(fresh.cursor, "c50", "a reconnection before any event resumes from where it went live");
  assert.equal(replaying.cursor, "c10", "the replay in flight must not be skipped");
  proto.receive(frame({ ...event(11, "b.x") }));
  proto.receive(frame({ type: "subscribed", topic: "b.*", cursor: "c99" }));
  assert.equal(replaying.cursor, "c11");
});

test("a durable subscription gets its own events and keeps redeliveries", () => {
  const proto = new ClientProtocol();
  const plain = proto.add("jobs.*");
  const durable = proto.add("jobs.>", { durable: "workers" });
  assert.deepEqual(delivered(proto.receive(frame({ ...event(1, "jobs.a"), durable: "workers" }))), [["jobs.>", "c1"]]);
  const again = proto.receive(frame({ type: "events", durable: "workers", events: [bare(1, "jobs.a")] }));
  assert.deepEqual(delivered(again), [["jobs.>", "c1"]], "a redelivery is the point of a durable subscription");
  const item = again[0];
  assert.ok(item?.kind === "deliver" && item.item.type === "event");
  assert.equal(item.item.durable, "workers");
  assert.deepEqual(durable.subscribeFrame(), { type: "subscribe", topic: "jobs.>", durable: "workers" });
  assert.equal(plain.cursor, undefined);
});

test("reset moves the cursor and is handed on", () => {
  const proto = new ClientProtocol();
  const state = proto.add("a.*", { cursor: "c1" });
  const reset = { type: "reset", topic: "a.*", oldest_cursor: "c40", reason: "expired" };
  assert.deepEqual(proto.receive(frame(reset)), [{ kind: "deliver", pattern: "a.*", item: reset }]);
  assert.equal(state.cursor, "c40");
});

test("replies are told apart by id and code", () => {
  const proto = new ClientProtocol();
  proto.add("a.*");
  assert.deepEqual(proto.receive(frame({ type: "welcome", connection_id: "n-1", heartbeat_ms: 20000, max_frame_bytes: 16384 })), [
    { kind: "welcomed", connectionId: "n-1", heartbeatMs: 20000, maxFrameBytes: 16384 },
  ]);
  assert.deepEqual(proto.receive(frame({ type: "authed", id: "a1", expires_at: "2030-01-01T00:00:00Z" })), [
    { kind: "reauthed", frameId: "a1", expiresAt: "2030-01-01T00:00:00Z" },
  ]);
  assert.deepEqual(proto.receive(frame({ type: "error", id: "s1", code: "forbidden", message: "no" })), [
    { kind: "refused", frameId: "s1", code: "forbidden", message: "no" },
  ]);
  // No id, and a code that ends connections: the reason for the close that follows.
  assert.deepEqual(proto.receive(frame({ type: "error", code: "going_away", message: "bye", close_code: 4001, retry: true })), [
    { kind: "server-error", code: "going_away", message: "bye", closeCode: 4001, retry: true },
  ]);
  // No id, a frame-level code (an ack refused): a refusal, the connection stays.
  assert.deepEqual(proto.receive(frame({ type: "error", code: "invalid_ack_token", message: "?" })), [
    { kind: "refused", frameId: undefined, code: "invalid_ack_token", message: "?" },
  ]);
  assert.deepEqual(proto.receive(frame({ type: "unsubscribed", topic: "a.*" })), [{ kind: "ended", pattern: "a.*", frameId: undefined }]);
  assert.deepEqual(proto.receive(frame({ type: "from_the_future" })), []);
});

test("garbage is a protocol violation", () => {
  for (const data of ["not json", "[1]", '{"no":"type"}', "null"]) {
    assert.throws(() => new ClientProtocol().receive(data), ProtocolViolation);
  }
  assert.throws(() => new ClientProtocol().receive(frame({ type: "events" })), ProtocolViolation);
});

test("a second subscription to a pattern is refused", () => {
  const proto = new ClientProtocol();
  proto.add("a.*");
  assert.throws(() => proto.add("a.*"), /already subscribed/);
});

test("close codes follow the registry (spec/errors.yaml)", () => {
  assert.equal(closeAction(4001), "reconnect"); // going_away
  assert.equal(closeAction(4401), "terminal"); // unauthenticated
  assert.equal(closeAction(4403), "terminal"); // forbidden
  assert.equal(closeAction(4429), "reconnect"); // rate_limited
  assert.equal(closeAction(4008), "reconnect"); // slow_consumer
  assert.equal(closeAction(4402), "reconnect"); // token_expired: a fresh token from getToken()
  assert.equal(closeAction(4423), "terminal"); // tenant_suspended
  assert.equal(closeAction(1000), "reconnect");
  assert.equal(closeAction(1006), "reconnect"); // lost without a close frame
  assert.equal(closeAction(1008), "terminal");
  assert.equal(closeAction(undefined), "reconnect");
  // A close code newer than this SDK: the error frame's own `retry` decides.
  const newer = (retry: boolean) => ({ kind: "server-error" as const, code: "new_code", message: "", closeCode: 4999, retry });
  assert.equal(closeAction(4999, newer(false)), "terminal");
  assert.equal(closeAction(4999, newer(true)), "reconnect");
  assert.equal(closeAction(4999), "reconnect");
});

test("client frames are compact JSON", () => {
  assert.equal(encode({ type: "ack", durable: "w", cursor: "c1" }), '{"type":"ack","durable":"w","cursor":"c1"}');
});

test("the SSE parser splits at CR, LF and CRLF (also across chunks) and only there", () => {
  const parser = new SSEParser();
  const out = [
    ...parser.feed(": hi\r"),
    ...parser.feed("\nid: c0\n\nevent: event\r\nid: c1\ndata: {\"a\":\n"),
    ...parser.feed("data: \"\u2028\"}\n\n"),
  ];
  assert.deepEqual(out, [
    { kind: "comment", text: "hi" },
    { kind: "message", event: "event", data: '{"a":\n"\u2028"}', id: "c1" },
  ]);
  assert.equal(parser.lastEventId, "c1");
});

test("a JWT's expiry is read unverified; the refresh comes early, never past half the lifetime", () => {
  const payload = Buffer.from(JSON.stringify({ exp: 2_000_000_000, sub: "u" })).toString("base64url");
  assert.equal(jwtExpiryMs(`h.${payload}.s`), 2_000_000_000_000);
  assert.equal(jwtExpiryMs("tdg_live_key"), undefined);
  assert.equal(jwtExpiryMs("a.!!!.c"), undefined);
  assert.equal(refreshDelayMs(100_000, 0, 30_000), 70_000);
  assert.equal(refreshDelayMs(20_000, 0, 30_000), 10_000, "a short-lived token is refreshed at half its life");
  assert.equal(refreshDelayMs(0, 5_000, 30_000), 0);
});

test("backoff is exponential with full jitter, capped, Retry-After first", () => {
  const policy = { ...defaultReconnectPolicy, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 };
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffMs(policy, n)), [50, 100, 200, 400, 500, 500]);
  assert.equal(backoffMs({ ...policy, random: () => 0 }, 3), 0, "full jitter reaches zero");
  assert.equal(backoffMs(policy, 1, 7), 7_000);
  assert.equal(backoffMs(policy, 1, 3600), policy.maxRetryAfterMs);
});
