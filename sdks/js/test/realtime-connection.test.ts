// The realtime connection against a scripted gateway (a real `ws` server on a free port): what the
// client does when the server closes, repeats itself, falls silent, refuses, or needs a fresh
// token — cases a healthy live server rarely shows on demand. Backoff waits are recorded (a
// fixed `random` makes them exact), never slept.

import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, test } from "node:test";

import {
  APIConnectionError,
  ConnectionTerminated,
  NotFoundError,
  Realtime,
  SubscriptionError,
  type Item,
  type RealtimeEvents,
  type RealtimeOptions,
  type RealtimeSubscription,
} from "../src/index.js";
import type { EventFrame } from "../src/generated/models.js";
import { event, FakeGateway, Sleeps } from "./support/gateway.js";

const PATIENCE_MS = 10_000;

let gateway: FakeGateway;
let sleeps: Sleeps;
beforeEach(async () => {
  gateway = await FakeGateway.start();
  sleeps = new Sleeps();
});
afterEach(async () => {
  await gateway.close();
  assert.deepEqual(gateway.errors, []);
});

function realtime(options: Partial<RealtimeOptions> = {}): Realtime {
  return new Realtime({
    baseUrl: "http://127.0.0.1:9", // no REST call is made
    realtimeUrl: gateway.url,
    project: "p1",
    apiKey: "k",
    reconnect: { random: () => 0.5, sleep: sleeps.sleep },
    ...options,
  });
}

/** The next `count` items of `sub`, with a bound against hanging (not a timing assertion). */
async function take(sub: RealtimeSubscription, count: number): Promise<Item[]> {
  const items: Item[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const patience = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`only ${items.length} of ${count} items came`)), PATIENCE_MS);
  });
  try {
    while (items.length < count) {
      const next = await Promise.race([sub.next(), patience]);
      if (next.done) break;
      items.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return items;
}
const numbers = (items: Item[]): unknown[] =>
  items.map((i) => (i.type === "event" ? (i.data as { n: number }).n : `reset:${i.oldest_cursor}`));

function record<K extends keyof RealtimeEvents>(rt: Realtime, ...names: K[]): Array<[K, RealtimeEvents[K]]> {
  const seen: Array<[K, RealtimeEvents[K]]> = [];
  for (const name of names) rt.on(name, (e) => seen.push([name, e]));
  return seen;
}

test("a reconnection resumes from the last cursor, drops repeats, and backs off with full jitter", async () => {
  gateway.script = [
    async (s) => {
      s.welcome();
      await s.subscribed("c0");
      s.events([1, 2]);
      s.close(1011); // an unexpected server error: reconnect
    },
    async (s) => {
      s.welcome();
      await s.subscribed();
      s.events([2, 3]); // 2 again: an overlap between the replay and live delivery
      s.send({ type: "event", ...event(4) });
      await s.stay();
    },
  ];
  const rt = realtime();
  const seen = record(rt, "connecting", "connected", "disconnected", "reconnecting");
  const sub = await rt.subscribe("orders.*");
  assert.deepEqual(numbers(await take(sub, 3)), [1, 2, 3]);
  assert.deepEqual(numbers(await take(sub, 1)), [4]);
  await rt.close();
  const [first, second] = gateway.sessions;
  assert.deepEqual(first?.received[0], { type: "subscribe", topic: "orders.*", id: "s1" });
  assert.equal(second?.received[0]?.["cursor"], "c2", "resumed after the last event handed on");
  assert.equal(first?.authorization, "Bearer k");
  assert.equal(rt.reconnects, 1);
  assert.deepEqual(sleeps.waits, [125], "half (random 0.5) of the first cap, 250 ms");
  assert.deepEqual(
    seen.map(([name]) => name),
    ["connecting", "connected", "disconnected", "reconnecting", "connecting", "connected"],
  );
  assert.equal((seen[2]?.[1] as RealtimeEvents["disconnected"]).closeCode, 1011);
});

test("before any event, the resume position is where the subscription went live", async () => {
  gateway.script = [
    async (s) => {
      s.welcome();
      await s.subscribed("c7");
      s.close(1001);
    },
    async (s) => {
      s.welcome();
      await s.subscribed();
      s.events([8]);
      await s.stay();
    },
  ];
  const rt = realtime();
  const sub = await rt.subscribe("orders.*");
  assert.deepEqual(numbers(await take(sub, 1)), [8]);
  await rt.close();
  assert.equal(gateway.sessions[1]?.received[0]?.["cursor"], "c7");
});

test("a terminal close ends the subscriptions without reconnecting", async () => {
  gateway.script = [
    async (s) => {
      s.welcome();
      await s.subscribed();
      s.events([1]);
      s.send({ type: "error", code: "unauthenticated", message: "key revoked", close_code: 4401, retry: false });
      s.close(4401, "unauthenticated");
    },
  ];
  const rt = realtime();
  const failed = record(rt, "failed");
  const sub = await rt.subscribe("orders.*");
  assert.deepEqual(numbers(await take(sub, 1)), [1]);
  await assert.rejects(sub.next(), (error: unknown) => {
    assert.ok(error instanceof ConnectionTerminated);
    assert.equal(error.code, "unauthenticated");
    assert.equal(error.closeCode, 4401);
    return true;
  });
  assert.equal(gateway.sessions.length, 1, "no reconnect loop");
  assert.deepEqual(sleeps.waits, []);
  assert.equal(rt.state, "failed");
  assert.equal(failed.length, 1);
  await assert.rejects(rt.subscribe("more.*"), ConnectionTerminated);
});

test("an unknown close code follows the error frame's retry", async () => {
  gateway.script = [
    async (s) => {
      s.welcome();
      await s.subscribed();
      s.send({ type: "error", code: "from_the_future", message: "stop", close_code: 4999, retry: false });
      s.close(4999);
    },
  ];
  const rt = realtime();
  const sub = await rt.subscribe("orders.*");
  await assert.rejects(sub.next(), ConnectionTerminated);
  assert.equal(gateway.sessions.length, 1);
});

test("a silent socket is pinged, then replaced", async () => {
  gateway.script = [
    async (s) => {
      s.welcome(100);
      await s.subscribed();
      s.events([1]);
      // From here on: nothing, not even a pong (a dead path looks like this).
      try {
        for (;;) await s.recv();
      } catch {
        // The client gave up on us.
      }
    },
    async (s) => {
      s.welcome(100);
      await s.subscribed();
      s.events([2]);
      await s.stay();
    },
  ];
  const rt = realtime();
  const sub = await rt.subscribe("orders.*");
  assert.deepEqual(numbers(await take(sub, 2)), [1, 2]);
  await rt.close();
  assert.ok(
    gateway.sessions[0]?.received.some((f) => f["type"] === "ping"),
    "a ping first, in case the socket was only idle",
  );
  assert.equal(rt.reconnects, 1);
});

function fakeJwt(expSeconds: number, n: number): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256" })}.${part({ sub: "u", exp: Math.floor(expSeconds), n })}.sig`;
}

test("a token is replaced on the open socket before it expires (in-band auth)", async () => {
  const issued: string[] = [];
  gateway.script = [
    async (s) => {
      s.welcome();
      await s.subscribed();
      const auth = await s.expect("auth");
      s.send({ type: "authed", id: auth["id"], expires_at: "2099-01-01T00:00:00Z" });
      s.events([1]);
      await s.stay();
    },
  ];
  const rt = realtime({
    apiKey: undefined,
    getToken: () => {
      issued.push(fakeJwt(Date.now() / 1000 + 2, issued.length));
      return issued.at(-1) as string;
    },
  });
  const refreshed = record(rt, "token-refreshed");
  const sub = await rt.subscribe("orders.*");
  assert.deepEqual(numbers(await take(sub, 1)), [1]);
  await rt.close();
  const session = gateway.sessions[0];
  assert.equal(session?.authorization, `Bearer ${issued[0]}`);
  assert.equal(session?.received.find((f) => f["type"] === "auth")?.["token"], issued[1]);
  assert.equal(rt.tokenRefreshes, 1);
  assert.equal(refreshed.length, 1);
  assert.equal(rt.reconnects, 0);
  assert.equal(issued.length, 2, "the far expiry in `authed` schedules no further refresh");
});

test("a token_expired close (4402) reconnects with a fresh token from getToken and resumes", async () => {
  let calls = 0;
  gateway.script = [
    async (s) => {
      s.welcome();
      await s.subscribed();
      s.events([1]);
      s.send({ type: "error", code: "token_expired", message: "expired", close_code: 4402, retry: true });
      s.close(4402, "token_expired");
    },
    async (s) => {
      s.welcome();
      await s.subscribed();
      s.events([2]);
      await s.stay();
    },
  ];
  const rt = realtime({ apiKey: undefined, getToken: async () => `opaque-${++calls}` });
  const sub = await rt.subscribe("orders.*");
  assert.deepEqual(numbers(await take(sub, 2)), [1, 2]);
  await rt.close();
  assert.deepEqual(
    gateway.sessions.map((s) => s.authorization),
    ["Bearer opaque-1", "Bearer opaque-2"],
  );
  assert.equal(gateway.sessions[1]?.received[0]?.["cursor"], "c1");
});

test("a refused subscription rejects and the connection stays", async () => {
  gateway.script = [
    async (s) => {
      s.welcome();
      const refused = await s.expect("subscribe");
      s.send({ type: "error", id: refused["id"], code: "too_many_subscriptions", message: "full" });
      await s.subscribed();
      s.events([5]);
      await s.stay();
    },
  ];
  const rt = realtime();
  await assert.rejects(rt.subscribe("a.*"), (error: unknown) => {
    assert.ok(error instanceof SubscriptionError);
    assert.equal(error.code, "too_many_subscriptions");
    return true;
  });
  const sub = await rt.subscribe("orders.*");
  assert.deepEqual(numbers(await take(sub, 1)), [5]);
  await rt.close();
  assert.equal(gateway.sessions.length, 1);
});

test("durable subscriptions resubscribe by name and ack by cursor", async () => {
  gateway.script = [
    async (s) => {
      s.welcome();
      await s.subscribed();
      s.events([1, 2], "jobs.a", { durable: "workers" });
      await s.expect("ack");
      s.close(4001, "going_away");
    },
    async (s) => {
      s.welcome();
      await s.subscribed();
      s.events([2, 3], "jobs.a", { durable: "workers" }); // 2 was never acknowledged: again
      await s.expect("ack");
      await s.expect("ack");
      await s.stay();
    },
  ];
  const rt = realtime();
  const sub = await rt.subscribe("jobs.>", { durable: "workers" });
  const [one, two] = (await take(sub, 2)) as EventFrame[];
  assert.equal(one?.durable, "workers");
  sub.ack(one as EventFrame);
  void two; // not acknowledged: the server delivers it again
  const again = (await take(sub, 2)) as EventFrame[];
  assert.deepEqual(numbers(again), [2, 3], "at least once: the redelivery is not de-duplicated");
  for (const e of again) sub.ack(e);
  // Wait until the gateway saw both acks, then close.
  for (let i = 0; i < 200 && (gateway.sessions[1]?.received.filter((f) => f["type"] === "ack").length ?? 0) < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await rt.close();
  const [first, second] = gateway.sessions;
  assert.deepEqual(first?.received[0], { type: "subscribe", topic: "jobs.>", id: "s1", durable: "workers" });
  assert.equal(second?.received[0]?.["cursor"], undefined, "a durable position is the server's");
  assert.deepEqual(first?.received[1], { type: "ack", durable: "workers", cursor: "c1" });
  assert.deepEqual(
    second?.received.filter((f) => f["type"] === "ack").map((f) => f["cursor"]),
    ["c2", "c3"],
  );
});

test("websocket-only gives up after the allowed attempts", async () => {
  const closed = await FakeGateway.start();
  const url = closed.url;
  await closed.close(); // nothing listens there now
  const rt = realtime({ realtimeUrl: url, transport: "websocket", reconnect: { maxAttempts: 2, random: () => 1, sleep: sleeps.sleep } });
  await assert.rejects(rt.connect(), APIConnectionError);
  assert.deepEqual(sleeps.waits, [250, 500], "two retries after the first attempt, the cap doubling");
  assert.equal(rt.state, "closed");
});

// --- SSE, and the fallback to it -------------------------------------------------------------

interface SSEServer {
  server: Server;
  url: string;
  requests: Array<{ url: string; headers: Record<string, string | string[] | undefined> }>;
}

async function sseServer(handler: (n: number, res: import("node:http").ServerResponse) => void): Promise<SSEServer> {
  const requests: SSEServer["requests"] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? "", headers: req.headers });
    if (req.url?.includes("/ws")) {
      // No WebSocket here: a plain 404 to the upgrade.
      res.writeHead(404, { "content-type": "application/problem+json" });
      res.end(JSON.stringify({ type: "about:blank", title: "Not Found", status: 404, code: "not_found" }));
      return;
    }
    handler(requests.filter((r) => r.url.includes("/stream")).length, res);
  });
  server.on("upgrade", (req, socket) => {
    requests.push({ url: req.url ?? "", headers: req.headers });
    socket.end("HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\ncontent-length: 2\r\n\r\n{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function stop(s: SSEServer): Promise<void> {
  s.server.closeAllConnections();
  return new Promise((resolve) => s.server.close(() => resolve()));
}

const sseEvent = (n: number): string => `event: event\nid: c${n}\ndata: ${JSON.stringify(event(n))}\n\n`;

test("SSE resumes from the position the stream opened at, with Last-Event-ID, dropping repeats", async () => {
  const sse = await sseServer((n, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    if (n === 1) {
      res.write("id: c0\n\n: heartbeat\n\n");
      res.end(); // dropped before any event
    } else if (n === 2) {
      res.write(sseEvent(1) + sseEvent(2));
      res.end();
    } else {
      res.write(sseEvent(2) + sseEvent(3)); // 2 again
    }
  });
  try {
    const rt = realtime({ baseUrl: sse.url, transport: "sse" });
    const sub = await rt.subscribe("orders.*");
    assert.deepEqual(numbers(await take(sub, 3)), [1, 2, 3]);
    await rt.close();
    const streams = sse.requests.filter((r) => r.url.includes("/stream"));
    assert.equal(streams[0]?.url, "/v1/projects/p1/stream?topic=orders.*");
    assert.equal(streams[0]?.headers["authorization"], "Bearer k");
    assert.equal(streams[0]?.headers["last-event-id"], undefined);
    assert.equal(streams[1]?.headers["last-event-id"], "c0");
    assert.equal(streams[2]?.headers["last-event-id"], "c2");
  } finally {
    await stop(sse);
  }
});

test("auto falls back to SSE, visibly, when the endpoint does not upgrade", async () => {
  const sse = await sseServer((_n, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(sseEvent(1));
  });
  try {
    const rt = realtime({ baseUrl: sse.url, realtimeUrl: undefined });
    const fallback = record(rt, "fallback");
    const sub = await rt.subscribe("orders.*");
    assert.deepEqual(numbers(await take(sub, 1)), [1]);
    assert.equal(rt.transport, "sse");
    assert.equal(fallback.length, 1);
    assert.match(fallback[0]?.[1].reason ?? "", /404/);
    await rt.close();
  } finally {
    await stop(sse);
  }
});

test("websocket-only does not fall back: a 404 at the handshake fails the connection", async () => {
  const sse = await sseServer(() => assert.fail("no SSE request is made"));
  try {
    const rt = realtime({ baseUrl: sse.url, realtimeUrl: undefined, transport: "websocket" });
    await assert.rejects(rt.connect(), NotFoundError);
  } finally {
    await stop(sse);
  }
});

test("SSE: a refused stream (403) ends the subscription with the status error", async () => {
  const sse = await sseServer((_n, res) => {
    res.writeHead(403, { "content-type": "application/problem+json", "x-request-id": "req-1" });
    res.end(JSON.stringify({ type: "about:blank", title: "Forbidden", status: 403, code: "forbidden" }));
  });
  try {
    const rt = realtime({ baseUrl: sse.url, transport: "sse" });
    await assert.rejects(rt.subscribe("orders.*"), (error: unknown) => {
      assert.equal((error as { status?: number }).status, 403);
      assert.equal((error as { requestId?: string }).requestId, "req-1");
      return true;
    });
    await rt.close();
    assert.equal(sse.requests.length, 1, "not retried");
  } finally {
    await stop(sse);
  }
});

test("after a fallback to SSE, a later reconnection goes back to the WebSocket, from the cursor", async () => {
  gateway.script = [
    async (s) => s.close(1011), // no welcome: the WebSocket cannot be established, SSE it is
    async (s) => {
      s.welcome(); // the probe on the SSE stream's reconnection: the WebSocket works again
      await s.stay();
    },
    async (s) => {
      s.welcome();
      await s.subscribed();
      s.events([2]);
      await s.stay();
    },
  ];
  const sse = await sseServer((n, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    if (n === 1) res.end(sseEvent(1)); // then the stream is lost
    else res.write(": only the first stream should be opened\n\n");
  });
  try {
    const rt = realtime({ baseUrl: sse.url });
    const seen = record(rt, "fallback", "connected");
    const sub = await rt.subscribe("orders.*");
    assert.deepEqual(numbers(await take(sub, 2)), [1, 2]);
    assert.equal(rt.transport, "websocket");
    await rt.close();
    assert.deepEqual(
      seen.map(([name, e]) => (name === "connected" ? `connected:${(e as RealtimeEvents["connected"]).transport}` : name)),
      ["fallback", "connected:sse", "connected:websocket"],
    );
    assert.deepEqual(gateway.sessions[2]?.received[0], { type: "subscribe", topic: "orders.*", id: "s1", cursor: "c1" });
    assert.equal(sse.requests.filter((r) => r.url.includes("/stream")).length, 1);
  } finally {
    await stop(sse);
  }
});
