// A scripted WebSocket gateway (the `ws` package's server on a free local port): each connection
// is served by the next handler of `script` (the last one repeats), which sees the frames the
// client sent and answers as a test needs — including what a well-behaved server never does
// (silence, a duplicate, an unknown close code). The Python SDK's tests/support/gateway.py.

import type { AddressInfo } from "node:net";
import type { IncomingMessage } from "node:http";

import { WebSocketServer, type WebSocket } from "ws";

export type Frame = Record<string, unknown>;

export function event(n: number, topic = "orders.created"): Frame {
  return { id: `e${n}`, topic, data: { n }, published_at: "2026-01-01T00:00:00Z", cursor: `c${n}` };
}

export class Session {
  readonly received: Frame[] = [];
  readonly #queue: Frame[] = [];
  #waiter: ((frame: Frame | undefined) => void) | undefined;
  #closed = false;

  constructor(
    readonly ws: WebSocket,
    readonly request: IncomingMessage,
  ) {
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.received.push(frame);
      this.#push(frame);
    });
    ws.on("close", () => {
      this.#closed = true;
      this.#push(undefined);
    });
  }

  #push(frame: Frame | undefined): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) waiter(frame);
    else if (frame) this.#queue.push(frame);
  }

  get authorization(): string | undefined {
    return this.request.headers.authorization;
  }

  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }

  welcome(heartbeatMs = 20_000): void {
    this.send({ type: "welcome", connection_id: "fake-1", heartbeat_ms: heartbeatMs, max_frame_bytes: 16384 });
  }

  /** The next frame; rejects once the client has gone. */
  async recv(): Promise<Frame> {
    const queued = this.#queue.shift();
    if (queued) return queued;
    if (this.#closed) throw new Error("the client closed");
    const frame = await new Promise<Frame | undefined>((resolve) => (this.#waiter = resolve));
    if (!frame) throw new Error("the client closed");
    return frame;
  }

  /** The next frame of type `kind`, answering pings on the way. */
  async expect(kind: string): Promise<Frame> {
    for (;;) {
      const frame = await this.recv();
      if (frame["type"] === kind) return frame;
      if (frame["type"] === "ping") this.send({ type: "pong" });
    }
  }

  /** Wait for `subscribe` and confirm it; the subscribe frame. */
  async subscribed(cursor: string | undefined = "c0"): Promise<Frame> {
    const frame = await this.expect("subscribe");
    const reply: Frame = { type: "subscribed", topic: frame["topic"], id: frame["id"] };
    if (frame["durable"] !== undefined) reply["durable"] = frame["durable"];
    if (cursor !== undefined) reply["cursor"] = cursor;
    this.send(reply);
    return frame;
  }

  events(numbers: number[], topic = "orders.created", extra: Frame = {}): void {
    this.send({ type: "events", ...extra, events: numbers.map((n) => event(n, topic)) });
  }

  close(code: number, reason = ""): void {
    this.ws.close(code, reason);
  }

  /** Answer pings until the client leaves. */
  async stay(): Promise<void> {
    try {
      await this.expect("never");
    } catch {
      // The client closed: the session is over.
    }
  }
}

export type Handler = (session: Session) => Promise<void>;

export class FakeGateway {
  script: Handler[] = [];
  readonly sessions: Session[] = [];
  readonly #server: WebSocketServer;
  readonly errors: unknown[] = [];

  private constructor(server: WebSocketServer) {
    this.#server = server;
    server.on("connection", (ws, request) => {
      const session = new Session(ws, request);
      this.sessions.push(session);
      const handler = this.script[Math.min(this.sessions.length, this.script.length) - 1];
      if (handler) {
        handler(session).catch((error: unknown) => {
          if (!String(error).includes("the client closed")) this.errors.push(error);
        });
      }
    });
  }

  static async start(): Promise<FakeGateway> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", resolve));
    return new FakeGateway(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const client of this.#server.clients) client.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A `sleep` that records each wait and returns at once (the backoff is asserted, not waited). */
export class Sleeps {
  readonly waits: number[] = [];
  readonly sleep = (ms: number): Promise<void> => {
    this.waits.push(ms);
    return new Promise((resolve) => setImmediate(resolve));
  };
}
