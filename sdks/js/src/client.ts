// `Client`: the REST client. Generated methods shape each call; this module performs it.

import { APIConnectionError, APIResponseError, APIStatusError, APITimeoutError, statusError } from "./errors.js";
import { Operations, SECURITY_SCHEMES, type ApiRequest, type RequestOptions } from "./generated/operations.js";
import { Realtime, type RealtimeOptions } from "./realtime/connection.js";
import { defaultRetryPolicy, isRetryableStatus, parseRetryAfter, retryDelayMs, type RetryPolicy } from "./retry.js";

/** Returns the credential to send; asked before every attempt, so it can refresh a token. */
export type TokenProvider = () => string | Promise<string>;

export interface ClientOptions {
  baseUrl: string;
  /** A server-to-server API key. Never ship one to a browser: mint a client token. */
  apiKey?: string;
  /** A JWT: a user's access token or a client token. */
  token?: string;
  tokenProvider?: TokenProvider;
  /** Milliseconds per attempt. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  headers?: Record<string, string>;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** The WebSocket gateway's base URL (`ws(s)://`); default `baseUrl` with `ws(s)://`. */
  realtimeUrl?: string;
}

/** `Client.realtime`'s options: those of `Realtime` less what the client already knows. */
export type ClientRealtimeOptions = Omit<
  RealtimeOptions,
  "baseUrl" | "realtimeUrl" | "project" | "apiKey" | "token" | "getToken" | "fetch"
>;

// Methods whose retry could act twice; they carry an Idempotency-Key the server deduplicates by.
const UNSAFE_METHODS = new Set(["POST", "PATCH"]);

export class Client extends Operations {
  readonly baseUrl: string;
  readonly retry: RetryPolicy;
  readonly #credential: string | TokenProvider | undefined;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;
  readonly #realtimeUrl: string | undefined;

  constructor(options: ClientOptions) {
    super();
    const given = [options.apiKey, options.token, options.tokenProvider].filter((c) => c !== undefined);
    if (given.length > 1) throw new TypeError("give at most one of apiKey, token, tokenProvider");
    if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError(`baseUrl must be http(s): ${options.baseUrl}`);
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#credential = given[0];
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.#headers = { ...options.headers };
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#realtimeUrl = options.realtimeUrl;
  }

  /**
   * A realtime connection of `project` with this client's credential (a token provider is asked
   * before each connection and before the token expires). Call `connect()`, or just `subscribe`.
   */
  realtime(project: string, options: ClientRealtimeOptions = {}): Realtime {
    const credential = this.#credential;
    return new Realtime({
      ...options,
      baseUrl: this.baseUrl,
      realtimeUrl: this.#realtimeUrl,
      project,
      ...(typeof credential === "function" ? { getToken: credential } : { token: credential }),
      fetch: this.#fetch,
    });
  }

  protected async send(request: ApiRequest, options: RequestOptions = {}): Promise<unknown> {
    // Generated once per logical call and reused on every retry: the server deduplicates by it,
    // so a retry after a lost answer does not publish (or create) twice.
    // An explicit `Idempotency-Key` (a generated method's argument) is the call's key.
    const explicitKey = Object.entries(request.headers ?? {}).find(([k]) => k.toLowerCase() === "idempotency-key")?.[1];
    const idempotencyKey =
      options.idempotencyKey ??
      explicitKey ??
      (UNSAFE_METHODS.has(request.method) ? crypto.randomUUID() : undefined);
    const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
    const maxRetries = options.maxRetries ?? this.retry.maxRetries;
    for (let retry = 0; ; retry++) {
      let wait: number;
      try {
        return await this.#attempt(request, options, idempotencyKey, deadline);
      } catch (error) {
        if (retry >= maxRetries) throw error;
        if (error instanceof APIStatusError && isRetryableStatus(error.status)) {
          wait = retryDelayMs(this.retry, retry, error.retryAfter);
        } else if (error instanceof APIConnectionError) {
          wait = retryDelayMs(this.retry, retry, undefined);
        } else {
          throw error;
        }
      }
      if (deadline !== undefined && Date.now() + wait >= deadline) {
        throw new APITimeoutError(`${request.operation}: no answer within ${options.timeoutMs}ms`);
      }
      await this.retry.sleep(wait);
    }
  }

  async #attempt(
    request: ApiRequest,
    options: RequestOptions,
    idempotencyKey: string | undefined,
    deadline: number | undefined,
  ): Promise<unknown> {
    const headers: Record<string, string> = {
      accept: "application/json",
      ...this.#headers,
      ...Object.fromEntries(Object.entries(request.headers ?? {}).filter(([k]) => k.toLowerCase() !== "idempotency-key")),
      ...options.headers,
    };
    if (idempotencyKey !== undefined) headers["idempotency-key"] = idempotencyKey;
    const url = new URL(this.baseUrl + request.path);
    appendQuery(url, request.query ?? {});
    await this.#authorize(request, headers, url);
    let body: string | undefined;
    if (request.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.body);
    }
    const timeoutMs = deadline === undefined ? this.#timeoutMs : Math.min(this.#timeoutMs, deadline - Date.now());
    const signals = [AbortSignal.timeout(Math.max(timeoutMs, 1))];
    if (options.signal) signals.push(options.signal);
    let status: number;
    let text: string;
    let answer: Headers;
    try {
      const response = await this.#fetch(url, {
        method: request.method,
        headers,
        body: body ?? null,
        signal: AbortSignal.any(signals),
      });
      status = response.status;
      answer = response.headers;
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw error; // the caller's own cancellation is not retried
      if (error instanceof Error && error.name === "TimeoutError") {
        throw new APITimeoutError(`${request.operation}: no answer in ${timeoutMs}ms`, { cause: error });
      }
      throw new APIConnectionError(`${request.operation}: ${String(error)}`, { cause: error });
    }
    if (status >= 200 && status < 300) {
      if (text === "") return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new APIResponseError(`${request.operation}: answer ${status} is not JSON`, { cause: error });
      }
    }
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): keep the text.
    }
    throw statusError(status, parsed, {
      requestId: answer.get("x-request-id") ?? undefined,
      retryAfter: parseRetryAfter(answer.get("retry-after")),
    });
  }

  async #authorize(request: ApiRequest, headers: Record<string, string>, url: URL): Promise<void> {
    // Anonymous operations (login, health) never see the credential.
    const schemeName = request.security[0];
    if (schemeName === undefined || this.#credential === undefined) return;
    const secret = typeof this.#credential === "function" ? await this.#credential() : this.#credential;
    const scheme = SECURITY_SCHEMES[schemeName];
    if (scheme?.type === "apiKey" && scheme.name) {
      if (scheme.in === "query") url.searchParams.append(scheme.name, secret);
      else headers[scheme.name.toLowerCase()] = secret;
    } else {
      headers["authorization"] = `Bearer ${secret}`;
    }
  }
}

/** Undefined and null are left out, arrays repeat the name. */
function appendQuery(url: URL, query: Readonly<Record<string, unknown>>): void {
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) url.searchParams.append(name, String(item));
    }
  }
}
