// The runtime against a real local HTTP server (node:http): auth, retries, idempotency, errors.

import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, test } from "node:test";

import { APIConnectionError, Client, ERRORS, NotFoundError, RateLimitError, TidingsError } from "../src/index.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let script: Handler[] = [];
let seen: Seen[] = [];
let baseUrl = "";
let waits: number[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString()));
  req.on("end", () => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    const handler = script[Math.min(seen.length, script.length) - 1];
    if (handler) handler(req, res);
  });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  script = [];
  seen = [];
  waits = [];
});

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
}

function problem(status: number, code: string, headers: Record<string, string> = {}): Handler {
  return json({ type: `https://tidings.dev/problems/${code}`, title: code, status, code }, status, headers);
}

const dropConnection: Handler = (req) => req.socket.destroy();

function client(options: Partial<ConstructorParameters<typeof Client>[0]> = {}): Client {
  const record = async (ms: number) => {
    waits.push(ms);
  };
  return new Client({ baseUrl, apiKey: "tdg_live_key", retry: { sleep: record }, ...options });
}

const TENANT = { id: "t1", slug: "acme", name: "Acme", status: "active", plan: "free", created_at: "x" };

test("the credential goes only to secured operations", async () => {
  script = [json({ status: "ok" })];
  assert.deepEqual(await client().healthz(), { status: "ok" });
  assert.equal(seen[0]?.headers.authorization, undefined);
  script = [json({ credential: "api_key", subject: "key:abc" })];
  await client().whoami();
  assert.equal(seen[1]?.headers.authorization, "Bearer tdg_live_key");
});

test("a token provider is asked before every attempt", async () => {
  const tokens = ["jwt-1", "jwt-2"];
  script = [problem(503, "dependency_unavailable"), json({ credential: "user", subject: "u" })];
  await client({ apiKey: undefined, tokenProvider: async () => tokens.shift() ?? "none" }).me();
  assert.deepEqual(
    seen.map((s) => s.headers.authorization),
    ["Bearer jwt-1", "Bearer jwt-2"],
  );
});

test("Retry-After is honoured and one idempotency key covers every retry", async () => {
  script = [problem(429, "rate_limited", { "retry-after": "2" }), dropConnection, json(TENANT, 201)];
  const tenant = await client().createTenant({ slug: "acme", name: "Acme" });
  assert.equal(tenant.slug, "acme");
  assert.equal(seen.length, 3);
  const keys = new Set(seen.map((s) => s.headers["idempotency-key"]));
  assert.equal(keys.size, 1);
  assert.equal(waits[0], 2000);
  assert.ok(waits[1]! >= 0 && waits[1]! < 500);
  assert.equal(seen[0]?.body, '{"slug":"acme","name":"Acme"}');
});

test("client errors are typed and not retried", async () => {
  script = [problem(404, "not_found", { "x-request-id": "req-42" })];
  await assert.rejects(client().getTenant("t9"), (error: unknown) => {
    assert.ok(error instanceof NotFoundError);
    assert.ok(error instanceof TidingsError);
    assert.equal(error.code, "not_found");
    assert.equal(error.requestId, "req-42");
    assert.equal(error.errorInfo, ERRORS.not_found);
    return true;
  });
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.headers["idempotency-key"], undefined);
});

test("retries stop at the limit with the last error", async () => {
  script = [problem(429, "rate_limited", { "retry-after": "1" })];
  await assert.rejects(client().getTenant("t1"), RateLimitError);
  assert.equal(seen.length, 4);
  assert.deepEqual(waits, [1000, 1000, 1000]);
});

test("an unreachable server is a connection error", async () => {
  const c = new Client({ baseUrl: "http://127.0.0.1:1", retry: { maxRetries: 1, sleep: async () => {} } });
  await assert.rejects(c.healthz(), APIConnectionError);
});

test("path parameters are percent-encoded and queries built", async () => {
  script = [(_req, res) => res.writeHead(204).end()];
  await client().removeMember("a/b c", "ü?");
  assert.equal(seen[0]?.url, "/v1/tenants/a%2Fb%20c/members/%C3%BC%3F");
  seen = [];
  script = [json({ items: [TENANT], next_cursor: "c1" }), json({ items: [{ ...TENANT, id: "t2" }] })];
  const ids: string[] = [];
  for await (const tenant of client().iterTenants({ limit: 1 })) ids.push(tenant.id);
  assert.deepEqual(ids, ["t1", "t2"]);
  assert.deepEqual(
    seen.map((s) => s.url),
    ["/v1/tenants?limit=1", "/v1/tenants?after=c1&limit=1"],
  );
});
