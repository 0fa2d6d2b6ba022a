// The WebSocket seen through one small interface, whatever implements it: the browser's
// `WebSocket` (credential in `?token=`, since a browser cannot set headers on the handshake) or,
// on Node, the `ws` package (credential in `Authorization`; Node 20 has no global WebSocket).
// `Channel` turns its callbacks into something an async loop can await, with a timeout.

import type { Clock, TimerHandle } from "./clock.js";

/** What the transport needs of a WebSocket: the WHATWG interface, which `ws` implements too. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A handshake the server answered without upgrading (only Node can see it; a browser cannot). */
export interface HandshakeRefusal {
  status: number;
  body: unknown;
  requestId: string | undefined;
  retryAfter: string | undefined;
}

/**
 * Opens a socket to `url` with `credential`. A dialer that cannot send headers puts the
 * credential in `?token=`. `refused` is called (before `onclose`) when the server answered the
 * handshake with a status other than 101 and the dialer can read it.
 */
export type Dialer = (url: string, credential: string | undefined, refused: (r: HandshakeRefusal) => void) => WebSocketLike;

// Largest server frame accepted. The server packs at most 256 KiB of events into one `events`
// frame by default (an event is at most 64 KiB); the margin allows a server configured higher.
const MAX_SERVER_FRAME = 8 * 1024 * 1024;

/** The browser's `WebSocket` (or any constructor with its interface), credential in the query. */
export function queryTokenDialer(Ctor: new (url: string) => WebSocketLike): Dialer {
  return (url, credential) => {
    const target = new URL(url);
    if (credential) target.searchParams.set("token", credential);
    return new Ctor(target.toString());
  };
}

interface NodeWebSocket extends WebSocketLike {
  on(event: "unexpected-response", listener: (request: { destroy(): void }, response: NodeResponse) => void): void;
}
interface NodeResponse {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  on(event: "end" | "error", listener: () => void): void;
}
type NodeWebSocketCtor = new (url: string, options: Record<string, unknown>) => NodeWebSocket;

/** The `ws` package's WebSocket: credential in `Authorization`, a refused handshake's answer read. */
export function nodeDialer(Ctor: NodeWebSocketCtor, userAgent: string): Dialer {
  return (url, credential, refused) => {
    const headers: Record<string, string> = { "user-agent": userAgent };
    if (credential) headers["authorization"] = `Bearer ${credential}`;
    const ws = new Ctor(url, { headers, maxPayload: MAX_SERVER_FRAME });
    ws.on("unexpected-response", (request, response) => {
      const chunks: Uint8Array[] = [];
      const finish = (): void => {
        const text = new TextDecoder().decode(concat(chunks));
        let body: unknown = text === "" ? undefined : text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON (a proxy's page): keep the text.
        }
        const one = (name: string): string | undefined => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        refused({ status: response.statusCode ?? 0, body, requestId: one("x-request-id"), retryAfter: one("retry-after") });
        request.destroy();
        // `ws` ends the socket (1006) once the request is destroyed; make sure `onclose` follows.
        ws.onclose?.({ code: 1006, reason: "handshake refused" });
        ws.onclose = null;
      };
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", finish);
      response.on("error", finish);
    });
    return ws;
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * The dialer for this runtime: `ws` on Node (imported lazily, so a browser bundle never sees it),
 * else the global `WebSocket`.
 */
export async function defaultDialer(userAgent: string): Promise<Dialer> {
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  if (isNode) {
    // A computed specifier: bundlers for the browser leave it alone, and the browser never runs it.
    const specifier = "ws";
    const module = (await import(specifier)) as { default: NodeWebSocketCtor };
    return nodeDialer(module.default, userAgent);
  }
  const Ctor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (Ctor === undefined) throw new TypeError("no WebSocket in this runtime: pass `webSocket` (a dialer)");
  return queryTokenDialer(Ctor);
}

export type Received =
  | { kind: "open" }
  | { kind: "message"; data: string }
  | { kind: "timeout" }
  | { kind: "closed"; code: number | undefined; reason: string; refusal: HandshakeRefusal | undefined };

/** A socket's callbacks as a queue an async loop awaits, one `next()` at a time. */
export class Channel {
  readonly #queue: Received[] = [];
  #waiter: ((value: Received) => void) | undefined;
  #closed: Received | undefined;
  #refusal: HandshakeRefusal | undefined;
  readonly ws: WebSocketLike;

  constructor(
    dial: Dialer,
    url: string,
    credential: string | undefined,
    private readonly clock: Clock,
  ) {
    this.ws = dial(url, credential, (refusal) => (this.#refusal = refusal));
    this.ws.onopen = () => this.#push({ kind: "open" });
    this.ws.onmessage = (event) => {
      const data = event.data;
      // Binary frames are not part of the protocol; a garbled one is reported as text.
      this.#push({ kind: "message", data: typeof data === "string" ? data : String(data) });
    };
    this.ws.onclose = (event) => {
      this.#closed = { kind: "closed", code: event.code, reason: event.reason, refusal: this.#refusal };
      this.#push(this.#closed);
    };
    this.ws.onerror = () => {
      // Always followed by `close`, which carries what can be known.
    };
  }

  get isOpen(): boolean {
    return this.ws.readyState === 1 && this.#closed === undefined;
  }

  #push(item: Received): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter(item);
    } else {
      this.#queue.push(item);
    }
  }

  /** The next thing that happened, or `timeout` after `timeoutMs` of nothing. */
  next(timeoutMs: number): Promise<Received> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closed !== undefined) return Promise.resolve(this.#closed);
    return new Promise((resolve) => {
      let timer: TimerHandle;
      this.#waiter = (value) => {
        this.clock.clearTimeout(timer);
        resolve(value);
      };
      timer = this.clock.setTimeout(() => {
        this.#waiter = undefined;
        resolve({ kind: "timeout" });
      }, timeoutMs);
    });
  }

  /** Wake a pending `next()` as if the socket closed (we are dropping it). */
  abort(reason: string): void {
    if (this.#closed === undefined) {
      this.#closed = { kind: "closed", code: undefined, reason, refusal: undefined };
      this.#push(this.#closed);
    }
    this.drop();
  }

  send(data: string): boolean {
    if (!this.isOpen) return false;
    try {
      this.ws.send(data);
      return true;
    } catch {
      return false;
    }
  }

  drop(code = 1000): void {
    try {
      this.ws.close(code);
    } catch {
      // Already closing, or never opened.
    }
  }
}
