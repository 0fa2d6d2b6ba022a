// The JS SDK's conformance driver (tests/conformance/README.md has the driver interface):
//
//   TIDINGS_HARNESS='{"api":…,"ws":…,"control":…}' node dist/test/conformance/driver.js scenarios.json
//
// runs every scenario of the file once per transport it lists and prints one JSON line per run:
// {"sdk": "js", "runtime": "node", "scenario": …, "transport": …, "ok": true|false, "detail": …}.

import { readFileSync } from "node:fs";

import { Client, ConnectionTerminated, Realtime, RealtimeError, TidingsError, type Item, type Transport } from "../../src/index.js";
import { control, eventually, publishMany, type Harness, type LiveProject } from "../support/live.js";

interface Step {
  op: string;
  [key: string]: unknown;
}
interface Scenario {
  name: string;
  transports: string[];
  steps: Step[];
}

const PATIENCE_MS = 30_000;

class Run {
  rt: Realtime | undefined;
  readonly numbers: number[] = [];
  error: unknown;
  published = 0;
  reading: Promise<void> | undefined;
  durable: number[] = [];
  readonly log: string[] = [];
  connectStep: Step = { op: "connect" };

  constructor(
    readonly harness: Harness,
    readonly project: LiveProject,
    readonly rest: Client,
    readonly transport: Transport,
  ) {}

  async step(step: Step): Promise<void> {
    switch (step.op) {
      case "reconnect":
        await this.#rt().close();
        await this.reading;
        return this.step(this.connectStep);
      case "create_durable":
        await this.rest.createSubscription(this.project.project, {
          name: String(step["name"]),
          topic: String(step["pattern"]),
          ack_wait_seconds: 1,
          max_deliveries: 5,
        });
        return;
      case "subscribe_durable": {
        const sub = await this.#rt().subscribe(String(step["pattern"]), { durable: String(step["name"]) });
        const got: number[] = (this.durable = []);
        const ackAll = step["ack"] === "all";
        this.reading = (async () => {
          for await (const item of sub as AsyncIterable<Item>) {
            if (item.type !== "event") continue;
            const n = (item.data as { n: number }).n;
            got.push(n);
            if (ackAll || n % 2 === 0) sub.ack(item);
          }
        })();
        return;
      }
      case "expect_durable": {
        const wanted = (step["numbers"] as number[]).slice().sort((a, b) => a - b);
        await eventually(() => this.durable.length >= wanted.length, JSON.stringify(wanted), PATIENCE_MS);
        const got = this.durable.slice().sort((a, b) => a - b);
        if (JSON.stringify(got) !== JSON.stringify(wanted)) throw new Error(`durable got ${JSON.stringify(this.durable)}, expected ${JSON.stringify(wanted)}`);
        return;
      }
      case "connect": {
        this.connectStep = step;
        const common = {
          baseUrl: this.harness.api,
          realtimeUrl: this.harness.ws,
          project: this.project.project,
          transport: this.transport,
          reconnect: { baseDelayMs: 50, maxDelayMs: 500 },
          // SSE has no `welcome.heartbeat_ms`: the server's 1 s heartbeat comments keep it talking.
          heartbeatTimeoutMs: this.transport === "websocket" ? undefined : 5_000,
        };
        if (step["credential"] === "client_token") {
          const ttl = Number(step["ttl_seconds"] ?? 30);
          this.rt = new Realtime({
            ...common,
            tokenRefreshBeforeMs: Number(step["refresh_before_seconds"] ?? 25) * 1000,
            getToken: async () =>
              (
                await this.rest.mintToken(this.project.project, {
                  user_id: "conformance",
                  capabilities: { subscribe: [">"] },
                  ttl_seconds: ttl,
                })
              ).token,
          });
        } else {
          this.rt = new Realtime({ ...common, apiKey: this.project.key });
        }
        for (const name of ["connecting", "connected", "disconnected", "reconnecting", "fallback", "failed"] as const) {
          this.rt.on(name, (e) => this.log.push(`${name}${JSON.stringify(e).slice(0, 80)}`));
        }
        await this.rt.connect();
        return;
      }
      case "subscribe": {
        const sub = await this.#rt().subscribe(String(step["pattern"]));
        this.reading = (async () => {
          try {
            for await (const item of sub as AsyncIterable<Item>) {
              if (item.type === "event") this.numbers.push((item.data as { n: number }).n);
            }
          } catch (error) {
            this.error = error;
          }
        })();
        return;
      }
      case "publish": {
        const count = Number(step["count"]);
        await publishMany(this.rest, this.project.project, String(step["topic"]), count, this.published);
        this.published += count;
        return;
      }
      case "publish_one":
        await this.rest.publishEvent(this.project.project, { topic: String(step["topic"]), data: { n: this.published } });
        this.published += 1;
        return;
      case "expect_stored": {
        const stored: number[] = [];
        for await (const event of this.rest.iterEvents(this.project.project, { topic: String(step["topic"]) })) {
          stored.push((event.data as { n: number }).n);
        }
        const total = Number(step["total"]);
        if (JSON.stringify(stored) !== JSON.stringify(Array.from({ length: total }, (_, i) => i))) {
          throw new Error(`stored: ${summary(stored)}`);
        }
        return;
      }
      case "expect": {
        const total = Number(step["total"]);
        await eventually(() => this.numbers.length >= total || this.error !== undefined, `${total} events`, PATIENCE_MS);
        if (this.error !== undefined) throw this.error;
        const expected = Array.from({ length: total }, (_, i) => i);
        const got = this.numbers.slice(0, total);
        if (JSON.stringify(got) !== JSON.stringify(expected) || this.numbers.length !== total) {
          throw new Error(`expected exactly 0..${total - 1} in order, got ${summary(this.numbers)}`);
        }
        return;
      }
      case "expect_reconnected":
        if (this.#rt().reconnects < 1) throw new Error("no reconnection was counted");
        return;
      case "expect_transport":
        if (this.#rt().transport !== step["transport"]) throw new Error(`transport is ${this.#rt().transport}`);
        return;
      case "expect_token_refreshed":
        await eventually(() => this.#rt().tokenRefreshes >= 1, "a token refresh", 60_000);
        if (this.#rt().reconnects !== 0) throw new Error(`${this.#rt().reconnects} reconnections`);
        return;
      case "expect_terminal": {
        const attempts: number[] = [];
        this.#rt().on("reconnecting", (e) => attempts.push(e.attempt));
        await eventually(() => this.error !== undefined, "a terminal error", PATIENCE_MS);
        const terminal = this.error instanceof ConnectionTerminated || (this.error instanceof TidingsError && "status" in this.error && (this.error as { status: number }).status === 401);
        if (!terminal) throw new Error(`not a terminal error: ${String(this.error)}`);
        if (this.#rt().state !== "failed") throw new Error(`state is ${this.#rt().state}`);
        if (attempts.length > 1) throw new Error(`${attempts.length} reconnection attempts`);
        return;
      }
      case "fault": {
        const kind = String(step["kind"]);
        if (kind === "revoke") await control(this.harness, "revoke", { project: this.project.project, key_id: this.project.key_id });
        else await control(this.harness, kind);
        return;
      }
      default:
        throw new Error(`unknown step ${step.op}`);
    }
  }

  #rt(): Realtime {
    if (this.rt === undefined) throw new Error("`connect` first");
    return this.rt;
  }
}

function summary(numbers: number[]): string {
  return numbers.length > 20 ? `${numbers.length} events: ${numbers.slice(0, 10).join(",")}…${numbers.slice(-10).join(",")}` : numbers.join(",");
}

async function main(): Promise<void> {
  const harness = JSON.parse(process.env["TIDINGS_HARNESS"] ?? "") as Harness;
  const file = process.argv[2];
  if (!file) throw new Error("usage: driver.js scenarios.json [scenario-name ...]");
  const only = new Set(process.argv.slice(3));
  const { scenarios } = JSON.parse(readFileSync(file, "utf8")) as { scenarios: Scenario[] };
  for (const scenario of scenarios) {
    if (only.size > 0 && !only.has(scenario.name)) continue;
    for (const transport of scenario.transports) {
      const project = await control<LiveProject>(harness, "projects");
      const rest = new Client({ baseUrl: harness.api, apiKey: project.key, retry: { maxRetries: 10, baseDelayMs: 100, maxDelayMs: 1_000 } });
      const run = new Run(harness, project, rest, transport as Transport);
      let ok = true;
      let detail = "";
      const started = Date.now();
      try {
        for (const step of scenario.steps) await run.step(step);
      } catch (error) {
        ok = false;
        detail = error instanceof RealtimeError || error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const rt = run.rt;
        if (rt !== undefined) {
          detail += ` [state ${rt.state}, transport ${rt.transport}, reconnects ${rt.reconnects}, read ${run.numbers.length}, events: ${run.log.slice(-8).join(" ")}]`;
        }
      } finally {
        await run.rt?.close();
        await run.reading;
        await control(harness, "reset"); // a failed scenario may not have undone its fault
      }
      const line = { sdk: "js", runtime: "node", scenario: scenario.name, transport, ok, detail, ms: Date.now() - started };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  }
}

await main();
