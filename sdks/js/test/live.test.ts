// The SDK against a live Tidings (tests/conformance/harness.py): real NATS and PostgreSQL, the
// whole server behind TCP fault proxies. REST parity (typed calls, typed errors with request id,
// one idempotency key per logical publish), then the realtime client through real faults.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  AuthenticationError,
  ConnectionTerminated,
  NotFoundError,
  Realtime,
  type Item,
  type RealtimeSubscription,
  type Transport,
} from "../src/index.js";
import {
  control,
  eventually,
  newProject,
  publishMany,
  restClient,
  startHarness,
  stopHarness,
  type Harness,
} from "./support/live.js";
import { launchChromium, servePage } from "./support/browser.js";

let harness: Harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await stopHarness(harness);
});

/** Reads a subscription in the background. */
class Reader {
  readonly numbers: number[] = [];
  resets = 0;
  error: unknown;
  readonly done: Promise<void>;
  constructor(sub: RealtimeSubscription) {
    this.done = (async () => {
      try {
        for await (const item of sub as AsyncIterable<Item>) {
          if (item.type === "reset") this.resets++;
          else this.numbers.push((item.data as { n: number }).n);
        }
      } catch (error) {
        this.error = error;
      }
    })();
  }
  until(count: number): Promise<void> {
    return eventually(() => this.numbers.length >= count || this.error !== undefined, `${count} events`);
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test("REST: publish, replay, typed errors with the request id", async () => {
  const project = await newProject(harness);
  const client = restClient(harness, project);
  const published = await client.publishEvent(project.project, { topic: "rest.a", data: { n: 1 } });
  assert.equal(typeof published.cursor, "string");
  const replayed = [];
  for await (const event of client.iterEvents(project.project, { topic: "rest.a" })) replayed.push(event);
  assert.deepEqual(
    replayed.map((e) => e.data),
    [{ n: 1 }],
  );
  await assert.rejects(client.getProject("00000000-0000-0000-0000-000000000000"), (error: unknown) => {
    assert.ok(error instanceof NotFoundError || error instanceof AuthenticationError || (error as { status?: number }).status === 403);
    assert.ok((error as { requestId?: string }).requestId, "a request id to quote");
    return true;
  });
});

for (const transport of ["websocket", "sse"] as Transport[]) {
  test(`${transport}: subscribe, then 250 events in order, batches unpacked, none twice`, async () => {
    const project = await newProject(harness);
    const client = restClient(harness, project);
    const rt = client.realtime(project.project, { transport });
    const reader = new Reader(await rt.subscribe("ticks.*"));
    await publishMany(client, project.project, "ticks.a", 250);
    await reader.until(250);
    await rt.close();
    await reader.done;
    assert.deepEqual(reader.numbers, range(250));
    assert.equal(rt.transport, transport);
  });

  test(`${transport}: a server restart mid-stream loses and duplicates nothing`, async () => {
    const project = await newProject(harness);
    const client = restClient(harness, project);
    const rt = client.realtime(project.project, {
      transport,
      reconnect: { baseDelayMs: 50, maxDelayMs: 500 },
      heartbeatTimeoutMs: transport === "sse" ? 5_000 : undefined,
    });
    const reader = new Reader(await rt.subscribe("ticks.*"));
    await publishMany(client, project.project, "ticks.a", 100);
    await reader.until(50); // mid-stream
    await control(harness, "restart");
    // Published after the restart: only a resume from the cursor brings what was missed.
    await publishMany(client, project.project, "ticks.a", 100, 100);
    await reader.until(200);
    await rt.close();
    await reader.done;
    assert.equal(reader.error, undefined);
    assert.deepEqual(reader.numbers, range(200), "every event once, in order");
    assert.equal(reader.resets, 0);
    assert.ok(rt.reconnects >= 1);
  });
}

test("a revoked key ends the connection for good: terminal close, no reconnect loop", async () => {
  const project = await newProject(harness);
  const client = restClient(harness, project);
  const rt = client.realtime(project.project, { transport: "websocket", reconnect: { baseDelayMs: 10, maxDelayMs: 50 } });
  const reconnecting: number[] = [];
  rt.on("reconnecting", (e) => reconnecting.push(e.attempt));
  const reader = new Reader(await rt.subscribe("ticks.*"));
  await control(harness, "revoke", { project: project.project, key_id: project.key_id });
  // The server ends a revoked key's connections (or refuses the reconnection): either way terminal.
  await control(harness, "cut");
  await reader.done;
  assert.ok(reader.error instanceof ConnectionTerminated || reader.error instanceof AuthenticationError, String(reader.error));
  assert.equal(rt.state, "failed");
  assert.ok(reconnecting.length <= 1, `no reconnect loop (${reconnecting.length} attempts)`);
});

test("WebSocket blocked: auto falls back to SSE, visibly, delivers, and goes back to the WebSocket once it works", async () => {
  const project = await newProject(harness);
  const client = restClient(harness, project);
  await control(harness, "block-ws");
  try {
    const rt = client.realtime(project.project, { reconnect: { baseDelayMs: 10, maxDelayMs: 50 } });
    const fallbacks: string[] = [];
    rt.on("fallback", (e) => fallbacks.push(e.reason));
    const reader = new Reader(await rt.subscribe("ticks.*"));
    await publishMany(client, project.project, "ticks.a", 20);
    await reader.until(20);
    assert.equal(rt.transport, "sse");
    assert.equal(fallbacks.length, 1);
    // The WebSocket works again: the next reconnection goes back to it, from the cursor.
    await control(harness, "unblock-ws");
    await control(harness, "cut");
    await eventually(() => rt.transport === "websocket" && rt.state === "connected", "back on the WebSocket");
    await publishMany(client, project.project, "ticks.a", 20, 20);
    await reader.until(40);
    await rt.close();
    assert.deepEqual(reader.numbers, range(40), "no gap and no duplicate across both switches");
  } finally {
    await control(harness, "unblock-ws");
  }
});

test("durable subscription: acknowledged events stay done, the others come back", async () => {
  const project = await newProject(harness);
  const client = restClient(harness, project);
  await client.createSubscription(project.project, { name: "workers", topic: "jobs.>", ack_wait_seconds: 1, max_deliveries: 5 });
  await publishMany(client, project.project, "jobs.a", 4);
  const first = new Realtime({ baseUrl: harness.api, realtimeUrl: harness.ws, project: project.project, apiKey: project.key });
  const sub = await first.subscribe("jobs.>", { durable: "workers" });
  const got: number[] = [];
  for await (const item of sub as AsyncIterable<Item>) {
    if (item.type !== "event") continue;
    const n = (item.data as { n: number }).n;
    got.push(n);
    if (n % 2 === 0) sub.ack(item); // 0 and 2 done; 1 and 3 never acknowledged
    if (got.length === 4) break;
  }
  await first.close();
  assert.deepEqual(got, [0, 1, 2, 3]);
  const second = new Realtime({ baseUrl: harness.api, realtimeUrl: harness.ws, project: project.project, apiKey: project.key });
  const again = await second.subscribe("jobs.>", { durable: "workers" });
  const redelivered: number[] = [];
  for await (const item of again as AsyncIterable<Item>) {
    if (item.type !== "event") continue;
    redelivered.push((item.data as { n: number }).n);
    again.ack(item);
    if (redelivered.length === 2) break;
  }
  await second.close();
  assert.deepEqual(redelivered.sort(), [1, 3]);
});

test("a client token is refreshed in band before it expires; the socket and subscription stay", async () => {
  const project = await newProject(harness);
  const client = restClient(harness, project);
  const minted: string[] = [];
  const rt = new Realtime({
    baseUrl: harness.api,
    realtimeUrl: harness.ws,
    project: project.project,
    transport: "websocket",
    tokenRefreshBeforeMs: 25_000,
    getToken: async () => {
      const token = await client.mintToken(project.project, {
        user_id: "device-7",
        capabilities: { subscribe: ["ticks.*"] },
        ttl_seconds: 30,
      });
      minted.push(token.token);
      return token.token;
    },
  });
  const reader = new Reader(await rt.subscribe("ticks.*"));
  const connection = rt.connectionId;
  await publishMany(client, project.project, "ticks.a", 1);
  await eventually(() => rt.tokenRefreshes >= 1, "a refresh", 40_000);
  await publishMany(client, project.project, "ticks.a", 1, 1);
  await reader.until(2);
  await rt.close();
  assert.deepEqual(reader.numbers, [0, 1]);
  assert.ok(minted.length >= 2);
  assert.equal(rt.reconnects, 0);
  assert.equal(rt.connectionId, connection, "the same socket carried on");
});

// --- a real browser ------------------------------------------------------------------------------

// 2,000 events in `make test` (its time budget); TIDINGS_BROWSER_EVENTS=10000 for the full run.
const BROWSER_EVENTS = Number(process.env["TIDINGS_BROWSER_EVENTS"] ?? 2_000);

test(`Chromium: the bundled SDK receives ${BROWSER_EVENTS} events over WebSocket and SSE across a server restart, 0 lost, 0 duplicated`, async () => {
  // The page's origin is not the server's: SSE through fetch crosses CORS (issue 21, merged);
  // the WebSocket sends an Origin. The page's "backend" (this test) mints the client token.
  const project = await newProject(harness);
  const client = restClient(harness, project);
  const token = await client.mintToken(project.project, {
    user_id: "browser-1",
    capabilities: { subscribe: ["ticks.*"] },
    ttl_seconds: 600,
  });
  const page = await servePage();
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    await tab.goto(page.url);
    await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    await tab.evaluate(
      async ({ api, ws, projectId, clientToken }) => {
        const w = window as unknown as Record<string, unknown> & { tidings: typeof import("../src/index.js") };
        // Both transports from the page: WebSocket (`?token=`), and SSE through fetch, which
        // needs the server's CORS (Authorization and Last-Event-ID are not simple headers).
        for (const transport of ["websocket", "sse"] as const) {
          const rt = new w.tidings.Realtime({
            baseUrl: api,
            realtimeUrl: ws,
            project: projectId,
            token: clientToken,
            transport,
            reconnect: { baseDelayMs: 50, maxDelayMs: 500 },
          });
          const seen: number[] = [];
          const states: string[] = [];
          w[`seen_${transport}`] = seen;
          w[`states_${transport}`] = states;
          w[`rt_${transport}`] = rt;
          rt.on("connected", (e) => states.push(`connected:${e.transport}`));
          rt.on("reconnecting", (e) => states.push(`reconnecting:${e.attempt}`));
          const sub = await rt.subscribe("ticks.*");
          void (async () => {
            for await (const item of sub) if (item.type === "event") seen.push((item.data as { n: number }).n);
          })();
        }
      },
      { api: harness.api, ws: harness.ws, projectId: project.project, clientToken: token.token },
    );
    const count = (): Promise<number> =>
      tab.evaluate(() => {
        const w = window as unknown as { seen_websocket: number[]; seen_sse: number[] };
        return Math.min(w.seen_websocket.length, w.seen_sse.length);
      });
    const half = BROWSER_EVENTS / 2;
    await publishMany(client, project.project, "ticks.a", half);
    let seen = 0;
    await eventually(() => seen >= half / 5, "the first events in the page", 60_000, async () => (seen = await count()));
    await control(harness, "restart"); // mid-stream
    await publishMany(client, project.project, "ticks.a", half, half);
    await eventually(() => seen >= BROWSER_EVENTS, `${BROWSER_EVENTS} events in the page`, 120_000, async () => (seen = await count()));
    for (const transport of ["websocket", "sse"]) {
      const result = await tab.evaluate((t) => {
        const w = window as unknown as Record<string, unknown>;
        const rt = w[`rt_${t}`] as { reconnects: number; transport: string };
        return { seen: w[`seen_${t}`] as number[], states: w[`states_${t}`] as string[], reconnects: rt.reconnects, transport: rt.transport };
      }, transport);
      assert.equal(result.seen.length, BROWSER_EVENTS, `${transport}: none duplicated`);
      assert.ok(
        result.seen.every((n, i) => n === i),
        `${transport}: every event once, in order`,
      );
      assert.ok(result.reconnects >= 1, `${transport}: the restart was crossed (${result.states.join(" ")})`);
      assert.equal(result.transport, transport);
    }
  } finally {
    await browser.close();
    page.server.close();
  }
});

test("Chromium, page on another origin: WebSocket blocked, the SDK falls back to SSE through CORS and delivers every event", async () => {
  const project = await newProject(harness);
  const client = restClient(harness, project);
  const token = await client.mintToken(project.project, {
    user_id: "browser-2",
    capabilities: { subscribe: ["ticks.*"] },
    ttl_seconds: 600,
  });
  const page = await servePage();
  const browser = await launchChromium();
  await control(harness, "block-ws");
  try {
    const tab = await browser.newPage();
    await tab.goto(page.url);
    assert.notEqual(new URL(page.url).origin, new URL(harness.api).origin, "the page is cross-origin");
    await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    await tab.evaluate(
      async ({ api, ws, projectId, clientToken }) => {
        const w = window as unknown as Record<string, unknown> & { tidings: typeof import("../src/index.js") };
        const rt = new w.tidings.Realtime({
          baseUrl: api,
          realtimeUrl: ws,
          project: projectId,
          token: clientToken,
          reconnect: { baseDelayMs: 10, maxDelayMs: 50 },
        });
        const seen: number[] = [];
        const fallbacks: string[] = [];
        w["seen"] = seen;
        w["fallbacks"] = fallbacks;
        w["rt"] = rt;
        rt.on("fallback", (e) => fallbacks.push(e.reason));
        const sub = await rt.subscribe("ticks.*");
        void (async () => {
          for await (const item of sub) if (item.type === "event") seen.push((item.data as { n: number }).n);
        })();
      },
      { api: harness.api, ws: harness.ws, projectId: project.project, clientToken: token.token },
    );
    await publishMany(client, project.project, "ticks.a", 20);
    let seen = 0;
    const count = (): Promise<number> => tab.evaluate(() => (window as unknown as { seen: number[] }).seen.length);
    await eventually(() => seen >= 20, "20 events in the page over SSE", 60_000, async () => (seen = await count()));
    const result = await tab.evaluate(() => {
      const w = window as unknown as { seen: number[]; fallbacks: string[]; rt: { transport: string } };
      return { seen: w.seen, fallbacks: w.fallbacks, transport: w.rt.transport };
    });
    assert.deepEqual(result.seen, range(20), "every event once, in order");
    assert.equal(result.transport, "sse");
    assert.equal(result.fallbacks.length, 1, "the fallback was announced once");
  } finally {
    await control(harness, "unblock-ws");
    await browser.close();
    page.server.close();
  }
});
