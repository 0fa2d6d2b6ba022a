// A live Tidings for the tests: tests/conformance/harness.py (real NATS and PostgreSQL on free
// ports, the whole server behind TCP fault proxies), spawned once per test file and ended by
// closing its stdin. `TIDINGS_HARNESS` overrides the command (e.g. a harness already running
// elsewhere is not supported: each file gets its own, so files can run in parallel).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { Client } from "../../src/index.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../..");

export interface Harness {
  api: string;
  ws: string;
  control: string;
  process: ChildProcess;
}

export interface LiveProject {
  project: string;
  key: string;
  key_id: string;
  tenant_id: string;
  user_token: string;
}

/** Start the harness; resolves once it printed its addresses (about 5 s: PostgreSQL's initdb). */
export async function startHarness(): Promise<Harness> {
  const uv = resolve(REPO, ".tools/bin/uv");
  if (!existsSync(uv)) throw new Error(`${uv} is missing: run \`make install\` at the repository root`);
  const child = spawn(uv, ["run", "--frozen", "--no-sync", "python", "tests/conformance/harness.py"], {
    cwd: REPO,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", resolvePromise);
    child.once("exit", (code) => reject(new Error(`the harness exited with ${code} before it was ready`)));
  });
  const info = JSON.parse(line) as Omit<Harness, "process">;
  return { ...info, process: child };
}

export async function stopHarness(harness: Harness): Promise<void> {
  const exited = new Promise<void>((resolvePromise) => harness.process.once("exit", () => resolvePromise()));
  harness.process.stdin?.end();
  await exited;
}

export async function control<T = unknown>(harness: Harness, action: string, body: unknown = {}): Promise<T> {
  const response = await fetch(`${harness.control}/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`harness ${action}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export function newProject(harness: Harness): Promise<LiveProject> {
  return control<LiveProject>(harness, "projects");
}

/** A REST client with the project's key, retrying through a server restart (~5 s). */
export function restClient(harness: Harness, project: LiveProject): Client {
  return new Client({
    baseUrl: harness.api,
    realtimeUrl: harness.ws,
    apiKey: project.key,
    retry: { maxRetries: 10, baseDelayMs: 100, maxDelayMs: 1_000 },
  });
}

/** Publish `{n: start}` … `{n: start + count - 1}` to `topic`, in order, in batches of 100. */
export async function publishMany(client: Client, project: string, topic: string, count: number, start = 0): Promise<void> {
  for (let at = start; at < start + count; at += 100) {
    const n = Math.min(100, start + count - at);
    await client.publishEvents(project, {
      events: Array.from({ length: n }, (_, i) => ({ topic, data: { n: at + i } })),
    });
  }
}

/** Resolves when `condition()` holds; rejects after `patienceMs` (a bound, not a timing assertion). */
export async function eventually(
  condition: () => boolean,
  what: string,
  patienceMs = 30_000,
  refresh?: () => Promise<unknown>,
): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    if (refresh !== undefined) await refresh();
    if (condition()) return;
    if (Date.now() > deadline) throw new Error(`not in ${patienceMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
