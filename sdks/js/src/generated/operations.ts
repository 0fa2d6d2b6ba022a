// Generated from spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/typescript) and run `make codegen`.
//
// One method per REST operation of Tidings API 0.1.0. `Operations` only shapes
// requests; the hand-written `Client` sends them by implementing `send` (auth, retries,
// idempotency keys and error mapping live there).

import type * as models from "./models.js";

export interface SecurityScheme {
  readonly type: "http" | "apiKey";
  /** bearer or basic, for http. */
  readonly scheme: string | null;
  /** header or query, for apiKey. */
  readonly in: string | null;
  /** The header or query parameter, for apiKey. */
  readonly name: string | null;
}

export const SECURITY_SCHEMES: Readonly<Record<string, SecurityScheme>> = {
  ApiKeyAuth: { type: "http", scheme: "bearer", in: null, name: null },
  ClientToken: { type: "http", scheme: "bearer", in: null, name: null },
  UserToken: { type: "http", scheme: "bearer", in: null, name: null },
};

/** Per-call overrides of the client's settings. */
export interface RequestOptions {
  /** Milliseconds for the whole call, retries included. */
  timeoutMs?: number;
  maxRetries?: number;
  /** Default: one generated per call, reused on each of its retries. */
  idempotencyKey?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One logical call: what `send` needs to perform it (and retry it). */
export interface ApiRequest {
  readonly method: string;
  /** Already percent-encoded. */
  readonly path: string;
  readonly operation: string;
  /** Schemes any one of which the operation accepts; empty: send no credential. */
  readonly security: readonly string[];
  /** Undefined and null values are left out; arrays repeat the parameter. */
  readonly query?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** Query and header parameters of `listTenants`. */
export interface ListTenantsParams {
  /** The `next_cursor` of the previous page. */
  after?: string;
  limit?: number;
}

/** Query and header parameters of `listProjects`. */
export interface ListProjectsParams {
  /** The `next_cursor` of the previous page. */
  after?: string;
  limit?: number;
}

/** Query and header parameters of `listKeys`. */
export interface ListKeysParams {
  /** The `next_cursor` of the previous page. */
  after?: string;
  limit?: number;
}

/** Query and header parameters of `listAudit`. */
export interface ListAuditParams {
  /** The `next_cursor` of the previous page. */
  after?: string;
  limit?: number;
  /** Only entries of this action (e.g. `api_key.revoked`). */
  action?: string;
}

/** Query and header parameters of `listEvents`. */
export interface ListEventsParams {
  /** A topic or pattern (`*`, `>`); default every topic. */
  topic?: string;
  /** Events after this cursor. */
  after?: string;
  /** Stop at this cursor (its event included, later ones not). */
  before?: string;
  /** Start at the first event published at or after this time (ignored with `after`). */
  since?: string;
  limit?: number;
}

/** Query and header parameters of `publishEvent`. */
export interface PublishEventParams {
  /** De-duplicates retries for 2 minutes (printable ASCII, at most 128 characters). */
  "Idempotency-Key"?: string;
}

/** Query and header parameters of `publishEvents`. */
export interface PublishEventsParams {
  /** De-duplicates retries for 2 minutes (printable ASCII, at most 128 characters). */
  "Idempotency-Key"?: string;
}

/** Query and header parameters of `listSchemas`. */
export interface ListSchemasParams {
  /** Only versions registered for exactly this topic or pattern. */
  topic?: string;
  /** The `next_cursor` of the previous page. */
  after?: string;
  limit?: number;
}

/** Query and header parameters of `listSubscriptions`. */
export interface ListSubscriptionsParams {
  /** The `next_cursor` of the previous page. */
  after?: string;
  limit?: number;
}

/** Query and header parameters of `listDeadLetters`. */
export interface ListDeadLettersParams {
  /** Only this subscription's dead letters. */
  subscription?: string;
  /** The `next_cursor` of the previous page. */
  after?: string;
  limit?: number;
}

/** Query and header parameters of `purgeDeadLetters`. */
export interface PurgeDeadLettersParams {
  /** Only this subscription's dead letters. */
  subscription?: string;
}

/** Query and header parameters of `tenantUsage`. */
export interface TenantUsageParams {
  /** First day (UTC) of the range; default the first day of the current month. */
  start?: string;
  /** Last day (UTC) of the range, included; default today. At most 400 days after `start`. */
  end?: string;
}

/** Query and header parameters of `exportUsage`. */
export interface ExportUsageParams {
  /** First day (UTC) of the range; default the first day of the current month. */
  start?: string;
  /** Last day (UTC) of the range, included; default today. At most 400 days after `start`. */
  end?: string;
}

/** Query and header parameters of `projectUsage`. */
export interface ProjectUsageParams {
  /** First day (UTC) of the range; default the first day of the current month. */
  start?: string;
  /** Last day (UTC) of the range, included; default today. At most 400 days after `start`. */
  end?: string;
}

/** Query and header parameters of `stripeWebhook`. */
export interface StripeWebhookParams {
  "Stripe-Signature"?: string;
}

/** The REST operations; subclasses provide `send`. */
export abstract class Operations {
  /** Perform `request`; resolve to the decoded JSON body (undefined when there is none). */
  protected abstract send(request: ApiRequest, options?: RequestOptions): Promise<unknown>;

  /**
   * Liveness probe
   *
   * Answers 200 while the process runs; checks no dependency.
   */
  async healthz(
    options?: RequestOptions,
  ): Promise<models.Health> {
    const result = await this.send(
      {
        method: "GET",
        path: `/healthz`,
        operation: "healthz",
        security: [],
      },
      options,
    );
    return result as models.Health;
  }

  /**
   * Readiness probe
   *
   * 200 when PostgreSQL and NATS JetStream both answer and this process's live delivery runs
   * (`live_delivery`: after a NATS reconnection the live feeds are re-created first); 503
   * naming the failing check otherwise (the body has the same shape in both cases).
   */
  async readyz(
    options?: RequestOptions,
  ): Promise<models.Readiness> {
    const result = await this.send(
      {
        method: "GET",
        path: `/readyz`,
        operation: "readyz",
        security: [],
      },
      options,
    );
    return result as models.Readiness;
  }

  /** Server and API version */
  async version(
    options?: RequestOptions,
  ): Promise<models.Version> {
    const result = await this.send(
      {
        method: "GET",
        path: `/version`,
        operation: "version",
        security: [],
      },
      options,
    );
    return result as models.Version;
  }

  /**
   * Introspect the calling credential
   *
   * What the credential of the request is and what it may do.
   */
  async whoami(
    options?: RequestOptions,
  ): Promise<models.Whoami> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/whoami`,
        operation: "whoami",
        security: ["ApiKeyAuth", "ClientToken", "UserToken"],
      },
      options,
    );
    return result as models.Whoami;
  }

  /**
   * Sign up: a user and their first tenant
   *
   * Creates a user, a tenant with that user as `owner`, and a session. Refused with 403 `signup_closed` when the operator turned sign-up off.
   */
  async signup(
    body: models.Signup,
    options?: RequestOptions,
  ): Promise<models.Session> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/auth/signup`,
        operation: "signup",
        security: [],
        body,
      },
      options,
    );
    return result as models.Session;
  }

  /**
   * Log in with email and password
   *
   * Failed attempts are throttled per email and per source address (429 with `Retry-After`). The answer never says whether the email exists.
   */
  async login(
    body: models.Login,
    options?: RequestOptions,
  ): Promise<models.Session> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/auth/login`,
        operation: "login",
        security: [],
        body,
      },
      options,
    );
    return result as models.Session;
  }

  /**
   * Rotate a refresh token
   *
   * Every refresh token works once. Presenting one that was already used revokes the whole session (token theft detection).
   */
  async refresh(
    body: models.RefreshRequest,
    options?: RequestOptions,
  ): Promise<models.Session> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/auth/refresh`,
        operation: "refresh",
        security: [],
        body,
      },
      options,
    );
    return result as models.Session;
  }

  /**
   * End a session
   *
   * Revokes the session of this refresh token; its access tokens stop working at once.
   */
  async logout(
    body: models.RefreshRequest,
    options?: RequestOptions,
  ): Promise<void> {
    await this.send(
      {
        method: "POST",
        path: `/v1/auth/logout`,
        operation: "logout",
        security: [],
        body,
      },
      options,
    );
  }

  /** The signed-in user and their memberships */
  async me(
    options?: RequestOptions,
  ): Promise<models.User> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/me`,
        operation: "me",
        security: ["UserToken"],
      },
      options,
    );
    return result as models.User;
  }

  /** Tenants the user belongs to (all of them for an operator) */
  async listTenants(
    params: ListTenantsParams = {},
    options?: RequestOptions,
  ): Promise<models.TenantList> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/tenants`,
        operation: "list_tenants",
        security: ["UserToken"],
        query: { after: params["after"], limit: params["limit"] },
      },
      options,
    );
    return result as models.TenantList;
  }

  /** Every item of `listTenants`, fetching page after page by `next_cursor`. */
  async *iterTenants(
    params: ListTenantsParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<models.Tenant, void, undefined> {
    let page_params: ListTenantsParams = { ...params };
    for (;;) {
      const page = await this.listTenants(page_params, options);
      yield* page["items"];
      const next = page["next_cursor"];
      if (next === undefined || next === null || next === "") return;
      page_params = { ...page_params, ["after"]: next };
    }
  }

  /** Create a tenant (the caller becomes its owner) */
  async createTenant(
    body: models.TenantCreate,
    options?: RequestOptions,
  ): Promise<models.Tenant> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/tenants`,
        operation: "create_tenant",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.Tenant;
  }

  /** A tenant */
  async getTenant(
    tenant: string,
    options?: RequestOptions,
  ): Promise<models.Tenant> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}`,
        operation: "get_tenant",
        security: ["UserToken"],
      },
      options,
    );
    return result as models.Tenant;
  }

  /** Update a tenant */
  async updateTenant(
    tenant: string,
    body: models.TenantUpdate,
    options?: RequestOptions,
  ): Promise<models.Tenant> {
    const result = await this.send(
      {
        method: "PATCH",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}`,
        operation: "update_tenant",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.Tenant;
  }

  /** Members and their roles */
  async listMembers(
    tenant: string,
    options?: RequestOptions,
  ): Promise<models.MemberList> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/members`,
        operation: "list_members",
        security: ["UserToken"],
      },
      options,
    );
    return result as models.MemberList;
  }

  /** Remove a member */
  async removeMember(
    tenant: string,
    userId: string,
    options?: RequestOptions,
  ): Promise<void> {
    await this.send(
      {
        method: "DELETE",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/members/${encodeURIComponent(String(userId))}`,
        operation: "remove_member",
        security: ["UserToken"],
      },
      options,
    );
  }

  /**
   * Change a member's role
   *
   * Takes effect on the member's very next request, on every node. Only an owner grants or removes `owner`; nobody changes their own role; the last owner stays.
   */
  async updateMember(
    tenant: string,
    userId: string,
    body: models.MemberUpdate,
    options?: RequestOptions,
  ): Promise<models.Member> {
    const result = await this.send(
      {
        method: "PATCH",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/members/${encodeURIComponent(String(userId))}`,
        operation: "update_member",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.Member;
  }

  /**
   * Invite someone by email
   *
   * Returns the invitation token once (deliver it to the invitee); it expires after 7 days.
   */
  async invite(
    tenant: string,
    body: models.InvitationCreate,
    options?: RequestOptions,
  ): Promise<models.Invitation> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/invitations`,
        operation: "invite",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.Invitation;
  }

  /**
   * Accept an invitation
   *
   * Signed in (bearer user token): joins the tenant. Not signed in: send `name` and `password` to create the account at the same time.
   */
  async acceptInvitation(
    body: models.InvitationAccept,
    options?: RequestOptions,
  ): Promise<models.Session> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/invitations/accept`,
        operation: "accept_invitation",
        security: [],
        body,
      },
      options,
    );
    return result as models.Session;
  }

  /** A tenant's projects */
  async listProjects(
    tenant: string,
    params: ListProjectsParams = {},
    options?: RequestOptions,
  ): Promise<models.ProjectList> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/projects`,
        operation: "list_projects",
        security: ["UserToken"],
        query: { after: params["after"], limit: params["limit"] },
      },
      options,
    );
    return result as models.ProjectList;
  }

  /** Every item of `listProjects`, fetching page after page by `next_cursor`. */
  async *iterProjects(
    tenant: string,
    params: ListProjectsParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<models.Project, void, undefined> {
    let page_params: ListProjectsParams = { ...params };
    for (;;) {
      const page = await this.listProjects(tenant, page_params, options);
      yield* page["items"];
      const next = page["next_cursor"];
      if (next === undefined || next === null || next === "") return;
      page_params = { ...page_params, ["after"]: next };
    }
  }

  /** Create a project */
  async createProject(
    tenant: string,
    body: models.ProjectCreate,
    options?: RequestOptions,
  ): Promise<models.Project> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/projects`,
        operation: "create_project",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.Project;
  }

  /** A project */
  async getProject(
    project: string,
    options?: RequestOptions,
  ): Promise<models.Project> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}`,
        operation: "get_project",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
    return result as models.Project;
  }

  /** Update a project */
  async updateProject(
    project: string,
    body: models.ProjectUpdate,
    options?: RequestOptions,
  ): Promise<models.Project> {
    const result = await this.send(
      {
        method: "PATCH",
        path: `/v1/projects/${encodeURIComponent(String(project))}`,
        operation: "update_project",
        security: ["UserToken", "ApiKeyAuth"],
        body,
      },
      options,
    );
    return result as models.Project;
  }

  /** A project's API keys (never their secrets) */
  async listKeys(
    project: string,
    params: ListKeysParams = {},
    options?: RequestOptions,
  ): Promise<models.ApiKeyList> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/keys`,
        operation: "list_keys",
        security: ["UserToken", "ApiKeyAuth"],
        query: { after: params["after"], limit: params["limit"] },
      },
      options,
    );
    return result as models.ApiKeyList;
  }

  /** Every item of `listKeys`, fetching page after page by `next_cursor`. */
  async *iterKeys(
    project: string,
    params: ListKeysParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<models.ApiKey, void, undefined> {
    let page_params: ListKeysParams = { ...params };
    for (;;) {
      const page = await this.listKeys(project, page_params, options);
      yield* page["items"];
      const next = page["next_cursor"];
      if (next === undefined || next === null || next === "") return;
      page_params = { ...page_params, ["after"]: next };
    }
  }

  /**
   * Create an API key
   *
   * The key is in this answer only. An API key caller can only create keys within its own grants.
   */
  async createKey(
    project: string,
    body: models.ApiKeyCreate,
    options?: RequestOptions,
  ): Promise<models.ApiKeyWithSecret> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/keys`,
        operation: "create_key",
        security: ["UserToken", "ApiKeyAuth"],
        body,
      },
      options,
    );
    return result as models.ApiKeyWithSecret;
  }

  /** An API key */
  async getKey(
    project: string,
    keyId: string,
    options?: RequestOptions,
  ): Promise<models.ApiKey> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/keys/${encodeURIComponent(String(keyId))}`,
        operation: "get_key",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
    return result as models.ApiKey;
  }

  /**
   * Revoke an API key
   *
   * Every node refuses the key within a second.
   */
  async revokeKey(
    project: string,
    keyId: string,
    options?: RequestOptions,
  ): Promise<void> {
    await this.send(
      {
        method: "DELETE",
        path: `/v1/projects/${encodeURIComponent(String(project))}/keys/${encodeURIComponent(String(keyId))}`,
        operation: "revoke_key",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
  }

  /**
   * Replace an API key with a new secret
   *
   * Creates a key with the same name, grants and limits, and revokes the old one.
   */
  async rotateKey(
    project: string,
    keyId: string,
    options?: RequestOptions,
  ): Promise<models.ApiKeyWithSecret> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/keys/${encodeURIComponent(String(keyId))}/rotate`,
        operation: "rotate_key",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
    return result as models.ApiKeyWithSecret;
  }

  /** Keys your backend signs client tokens with */
  async listSigningKeys(
    project: string,
    options?: RequestOptions,
  ): Promise<models.SigningKeyList> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/signing-keys`,
        operation: "list_signing_keys",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
    return result as models.SigningKeyList;
  }

  /**
   * Register a signing key
   *
   * Registered with an API key, the signing key records that key's `publish`, `subscribe` and
   * `history` grants as its `max_capabilities`: tokens it signs that ask for more are refused
   * (401), so a narrow key gains nothing by registering a signing key. Registered by a signed-in
   * user (a role that may create any API key of the project), it has no cap. Every client token
   * also lives at most the project's `max_client_token_ttl`.
   */
  async createSigningKey(
    project: string,
    body: models.SigningKeyCreate,
    options?: RequestOptions,
  ): Promise<models.SigningKeyWithSecret> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/signing-keys`,
        operation: "create_signing_key",
        security: ["UserToken", "ApiKeyAuth"],
        body,
      },
      options,
    );
    return result as models.SigningKeyWithSecret;
  }

  /**
   * Revoke a signing key
   *
   * Tokens signed with it stop verifying on every node within a second.
   */
  async deleteSigningKey(
    project: string,
    kid: string,
    options?: RequestOptions,
  ): Promise<void> {
    await this.send(
      {
        method: "DELETE",
        path: `/v1/projects/${encodeURIComponent(String(project))}/signing-keys/${encodeURIComponent(String(kid))}`,
        operation: "delete_signing_key",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
  }

  /**
   * Mint a client token for a browser or device
   *
   * Needs an API key of this project; the token's capabilities must be within the key's grants,
   * and `ttl_seconds` within the project's `max_client_token_ttl` (400 `validation_failed`).
   */
  async mintToken(
    project: string,
    body: models.TokenRequest,
    options?: RequestOptions,
  ): Promise<models.ClientToken> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/tokens`,
        operation: "mint_token",
        security: ["ApiKeyAuth"],
        body,
      },
      options,
    );
    return result as models.ClientToken;
  }

  /** The tenant's audit log, newest first */
  async listAudit(
    tenant: string,
    params: ListAuditParams = {},
    options?: RequestOptions,
  ): Promise<models.AuditList> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/audit-log`,
        operation: "list_audit",
        security: ["UserToken"],
        query: { after: params["after"], limit: params["limit"], action: params["action"] },
      },
      options,
    );
    return result as models.AuditList;
  }

  /** Every item of `listAudit`, fetching page after page by `next_cursor`. */
  async *iterAudit(
    tenant: string,
    params: ListAuditParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<models.AuditEntry, void, undefined> {
    let page_params: ListAuditParams = { ...params };
    for (;;) {
      const page = await this.listAudit(tenant, page_params, options);
      yield* page["items"];
      const next = page["next_cursor"];
      if (next === undefined || next === null || next === "") return;
      page_params = { ...page_params, ["after"]: next };
    }
  }

  /**
   * Replay events by cursor
   *
   * Stored events in publish order, after `after` (or from `since`, or from the oldest). Pass
   * `next_cursor` back as `after` for the next page. A cursor whose following events were removed by
   * retention, or from before the stream was recreated, is 410 `cursor_expired` with the oldest
   * valid cursor in `errors[0].oldest_cursor`. Needs `history` on the topic filter (users: any
   * role).
   */
  async listEvents(
    project: string,
    params: ListEventsParams = {},
    options?: RequestOptions,
  ): Promise<models.EventPage> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/events`,
        operation: "list_events",
        security: ["ApiKeyAuth", "ClientToken", "UserToken"],
        query: { topic: params["topic"], after: params["after"], before: params["before"], since: params["since"], limit: params["limit"] },
      },
      options,
    );
    return result as models.EventPage;
  }

  /** Every item of `listEvents`, fetching page after page by `next_cursor` while `has_more`. */
  async *iterEvents(
    project: string,
    params: ListEventsParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<models.Event, void, undefined> {
    let page_params: ListEventsParams = { ...params };
    for (;;) {
      const page = await this.listEvents(project, page_params, options);
      yield* page["items"];
      const next = page["next_cursor"];
      if (next === undefined || next === null || next === "") return;
      // The page may carry a cursor (where to resume later) with no more items now.
      if (page["has_more"] === false) return;
      page_params = { ...page_params, ["after"]: next };
    }
  }

  /**
   * Publish an event
   *
   * Needs an API key with `publish` on the topic, or a client token with the `publish` capability.
   * Answered once JetStream has stored the event. With `Idempotency-Key` (or an `id`), a retry
   * within 2 minutes answers the original event (`duplicate: true`); the same key with another body
   * is 409 `idempotency_conflict`. `data` over 64 KiB is 413 `event_too_large`; an event larger than
   * the project's retention `max_bytes` (it would be removed as soon as stored) is 413
   * `retention_exceeded` and is not stored; `data` that breaks a registered schema is 422
   * `schema_violation`; JetStream down is 503 with `Retry-After`.
   */
  async publishEvent(
    project: string,
    body: models.EventCreate,
    params: PublishEventParams = {},
    options?: RequestOptions,
  ): Promise<models.Published> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/events`,
        operation: "publish_event",
        security: ["ApiKeyAuth", "ClientToken"],
        headers: Object.fromEntries(
          Object.entries({ "Idempotency-Key": params["Idempotency-Key"] })
            .filter(([, v]) => v !== undefined && v !== null)
            .map(([k, v]) => [k, String(v)]),
        ),
        body,
      },
      options,
    );
    return result as models.Published;
  }

  /**
   * Publish up to 100 events in order
   *
   * Every event is validated before any is stored; they are stored in order. With
   * `Idempotency-Key`, a retry stores only the events not stored yet and answers the originals.
   * A batch larger than the project's retention `max_bytes`, or with more events than its
   * `max_events` (its first events would be removed by its last ones), is 413
   * `retention_exceeded` and nothing is stored.
   */
  async publishEvents(
    project: string,
    body: models.EventBatchCreate,
    params: PublishEventsParams = {},
    options?: RequestOptions,
  ): Promise<models.PublishedBatch> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/events/batch`,
        operation: "publish_events",
        security: ["ApiKeyAuth", "ClientToken"],
        headers: Object.fromEntries(
          Object.entries({ "Idempotency-Key": params["Idempotency-Key"] })
            .filter(([, v]) => v !== undefined && v !== null)
            .map(([k, v]) => [k, String(v)]),
        ),
        body,
      },
      options,
    );
    return result as models.PublishedBatch;
  }

  /** The project's retention policy and stream usage */
  async getRetention(
    project: string,
    options?: RequestOptions,
  ): Promise<models.RetentionState> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/retention`,
        operation: "get_retention",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
    return result as models.RetentionState;
  }

  /**
   * Change the retention policy
   *
   * Applied to the stream at once: lowering a limit removes the oldest events over it.
   */
  async putRetention(
    project: string,
    body: models.Retention,
    options?: RequestOptions,
  ): Promise<models.RetentionState> {
    const result = await this.send(
      {
        method: "PUT",
        path: `/v1/projects/${encodeURIComponent(String(project))}/retention`,
        operation: "put_retention",
        security: ["UserToken", "ApiKeyAuth"],
        body,
      },
      options,
    );
    return result as models.RetentionState;
  }

  /** Topic schemas (every version) */
  async listSchemas(
    project: string,
    params: ListSchemasParams = {},
    options?: RequestOptions,
  ): Promise<models.TopicSchemaList> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/schemas`,
        operation: "list_schemas",
        security: ["UserToken", "ApiKeyAuth"],
        query: { topic: params["topic"], after: params["after"], limit: params["limit"] },
      },
      options,
    );
    return result as models.TopicSchemaList;
  }

  /** Every item of `listSchemas`, fetching page after page by `next_cursor`. */
  async *iterSchemas(
    project: string,
    params: ListSchemasParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<models.TopicSchema, void, undefined> {
    let page_params: ListSchemasParams = { ...params };
    for (;;) {
      const page = await this.listSchemas(project, page_params, options);
      yield* page["items"];
      const next = page["next_cursor"];
      if (next === undefined || next === null || next === "") return;
      page_params = { ...page_params, ["after"]: next };
    }
  }

  /** Register a new schema version for a topic or pattern */
  async registerSchema(
    project: string,
    body: models.SchemaCreate,
    options?: RequestOptions,
  ): Promise<models.TopicSchema> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/schemas`,
        operation: "register_schema",
        security: ["UserToken", "ApiKeyAuth"],
        body,
      },
      options,
    );
    return result as models.TopicSchema;
  }

  /** A schema version */
  async getSchema(
    project: string,
    schemaId: string,
    options?: RequestOptions,
  ): Promise<models.TopicSchema> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/schemas/${encodeURIComponent(String(schemaId))}`,
        operation: "get_schema",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
    return result as models.TopicSchema;
  }

  /** Deprecate a schema version (the previous version applies again) */
  async deprecateSchema(
    project: string,
    schemaId: string,
    options?: RequestOptions,
  ): Promise<models.TopicSchema> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/schemas/${encodeURIComponent(String(schemaId))}/deprecate`,
        operation: "deprecate_schema",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
    return result as models.TopicSchema;
  }

  /** Durable subscriptions */
  async listSubscriptions(
    project: string,
    params: ListSubscriptionsParams = {},
    options?: RequestOptions,
  ): Promise<models.SubscriptionList> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/subscriptions`,
        operation: "list_subscriptions",
        security: ["UserToken", "ApiKeyAuth"],
        query: { after: params["after"], limit: params["limit"] },
      },
      options,
    );
    return result as models.SubscriptionList;
  }

  /** Every item of `listSubscriptions`, fetching page after page by `next_cursor`. */
  async *iterSubscriptions(
    project: string,
    params: ListSubscriptionsParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<models.Subscription, void, undefined> {
    let page_params: ListSubscriptionsParams = { ...params };
    for (;;) {
      const page = await this.listSubscriptions(project, page_params, options);
      yield* page["items"];
      const next = page["next_cursor"];
      if (next === undefined || next === null || next === "") return;
      page_params = { ...page_params, ["after"]: next };
    }
  }

  /**
   * Create a durable subscription
   *
   * It receives the events published from now on that match `topic`, at least once: unacknowledged
   * deliveries come again after `ack_wait_seconds`, and after `max_deliveries` they go to the
   * dead-letter stream.
   */
  async createSubscription(
    project: string,
    body: models.SubscriptionCreate,
    options?: RequestOptions,
  ): Promise<models.Subscription> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/subscriptions`,
        operation: "create_subscription",
        security: ["UserToken", "ApiKeyAuth"],
        body,
      },
      options,
    );
    return result as models.Subscription;
  }

  /** A durable subscription */
  async getSubscription(
    project: string,
    subscription: string,
    options?: RequestOptions,
  ): Promise<models.Subscription> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/subscriptions/${encodeURIComponent(String(subscription))}`,
        operation: "get_subscription",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
    return result as models.Subscription;
  }

  /** Delete a durable subscription */
  async deleteSubscription(
    project: string,
    subscription: string,
    options?: RequestOptions,
  ): Promise<void> {
    await this.send(
      {
        method: "DELETE",
        path: `/v1/projects/${encodeURIComponent(String(project))}/subscriptions/${encodeURIComponent(String(subscription))}`,
        operation: "delete_subscription",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
  }

  /**
   * Pull pending events of a durable subscription
   *
   * Needs `subscribe` on the subscription's topic. Acknowledge each delivery with its `ack_token`.
   */
  async pull(
    project: string,
    subscription: string,
    body: models.PullRequest,
    options?: RequestOptions,
  ): Promise<models.DeliveryList> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/subscriptions/${encodeURIComponent(String(subscription))}/pull`,
        operation: "pull",
        security: ["ApiKeyAuth", "ClientToken"],
        body,
      },
      options,
    );
    return result as models.DeliveryList;
  }

  /** Acknowledge deliveries */
  async ack(
    project: string,
    subscription: string,
    body: models.AckRequest,
    options?: RequestOptions,
  ): Promise<void> {
    await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/subscriptions/${encodeURIComponent(String(subscription))}/ack`,
        operation: "ack",
        security: ["ApiKeyAuth", "ClientToken"],
        body,
      },
      options,
    );
  }

  /** Dead letters, oldest first */
  async listDeadLetters(
    project: string,
    params: ListDeadLettersParams = {},
    options?: RequestOptions,
  ): Promise<models.DeadLetterList> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/dead-letters`,
        operation: "list_dead_letters",
        security: ["UserToken", "ApiKeyAuth"],
        query: { subscription: params["subscription"], after: params["after"], limit: params["limit"] },
      },
      options,
    );
    return result as models.DeadLetterList;
  }

  /** Every item of `listDeadLetters`, fetching page after page by `next_cursor`. */
  async *iterDeadLetters(
    project: string,
    params: ListDeadLettersParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<models.DeadLetter, void, undefined> {
    let page_params: ListDeadLettersParams = { ...params };
    for (;;) {
      const page = await this.listDeadLetters(project, page_params, options);
      yield* page["items"];
      const next = page["next_cursor"];
      if (next === undefined || next === null || next === "") return;
      page_params = { ...page_params, ["after"]: next };
    }
  }

  /** Purge dead letters (all, or one subscription's) */
  async purgeDeadLetters(
    project: string,
    params: PurgeDeadLettersParams = {},
    options?: RequestOptions,
  ): Promise<models.PurgeResult> {
    const result = await this.send(
      {
        method: "DELETE",
        path: `/v1/projects/${encodeURIComponent(String(project))}/dead-letters`,
        operation: "purge_dead_letters",
        security: ["UserToken", "ApiKeyAuth"],
        query: { subscription: params["subscription"] },
      },
      options,
    );
    return result as models.PurgeResult;
  }

  /** A dead letter */
  async getDeadLetter(
    project: string,
    deadLetter: string,
    options?: RequestOptions,
  ): Promise<models.DeadLetter> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/dead-letters/${encodeURIComponent(String(deadLetter))}`,
        operation: "get_dead_letter",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
    return result as models.DeadLetter;
  }

  /** Deliver a dead letter to its subscription again */
  async redriveDeadLetter(
    project: string,
    deadLetter: string,
    options?: RequestOptions,
  ): Promise<models.DeadLetter> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/dead-letters/${encodeURIComponent(String(deadLetter))}/redrive`,
        operation: "redrive_dead_letter",
        security: ["UserToken", "ApiKeyAuth"],
      },
      options,
    );
    return result as models.DeadLetter;
  }

  /** The plans and their limits */
  async listPlans(
    options?: RequestOptions,
  ): Promise<models.PlanList> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/plans`,
        operation: "list_plans",
        security: ["UserToken"],
      },
      options,
    );
    return result as models.PlanList;
  }

  /**
   * Create or change a plan (platform operators)
   *
   * Every node applies the new limits at once (control bus). Limits omitted when creating a plan
   * are unlimited.
   */
  async putPlan(
    planName: string,
    body: models.PlanUpdate,
    options?: RequestOptions,
  ): Promise<models.Plan> {
    const result = await this.send(
      {
        method: "PUT",
        path: `/v1/plans/${encodeURIComponent(String(planName))}`,
        operation: "put_plan",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.Plan;
  }

  /** Move a tenant to another plan (platform operators) */
  async putTenantPlan(
    tenant: string,
    body: models.TenantPlan,
    options?: RequestOptions,
  ): Promise<models.BillingState> {
    const result = await this.send(
      {
        method: "PUT",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/plan`,
        operation: "put_tenant_plan",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.BillingState;
  }

  /**
   * Kill switch: suspend a tenant (platform operators)
   *
   * Publishes are refused with 403 `tenant_suspended` and every realtime connection of the tenant
   * is closed with that code (4423) on every node within a second. Nothing is deleted. Audited.
   */
  async suspendTenant(
    tenant: string,
    body: models.Suspend,
    options?: RequestOptions,
  ): Promise<models.BillingState> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/suspend`,
        operation: "suspend_tenant",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.BillingState;
  }

  /** Resume a suspended tenant (platform operators) */
  async resumeTenant(
    tenant: string,
    body: models.Resume,
    options?: RequestOptions,
  ): Promise<models.BillingState> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/resume`,
        operation: "resume_tenant",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.BillingState;
  }

  /** Kill switch: suspend one project (platform operators) */
  async suspendProject(
    project: string,
    body: models.Suspend,
    options?: RequestOptions,
  ): Promise<models.ProjectState> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/suspend`,
        operation: "suspend_project",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.ProjectState;
  }

  /** Resume a suspended project (platform operators) */
  async resumeProject(
    project: string,
    options?: RequestOptions,
  ): Promise<models.ProjectState> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/projects/${encodeURIComponent(String(project))}/resume`,
        operation: "resume_project",
        security: ["UserToken"],
      },
      options,
    );
    return result as models.ProjectState;
  }

  /** The tenant's usage by day, and where it stands against its plan */
  async tenantUsage(
    tenant: string,
    params: TenantUsageParams = {},
    options?: RequestOptions,
  ): Promise<models.Usage> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/usage`,
        operation: "tenant_usage",
        security: ["UserToken"],
        query: { start: params["start"], end: params["end"] },
      },
      options,
    );
    return result as models.Usage;
  }

  /**
   * Every ledger row of the tenant: CSV with `Accept: text/csv`, else JSON
   *
   * One row per day, project and metric (`day,project_id,metric,quantity,kind`; `kind` is `sum`
   * or `max`). Sent as `text/csv` (a file download) when the `Accept` header prefers it.
   */
  async exportUsage(
    tenant: string,
    params: ExportUsageParams = {},
    options?: RequestOptions,
  ): Promise<models.UsageExport> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/usage/export`,
        operation: "export_usage",
        security: ["UserToken"],
        query: { start: params["start"], end: params["end"] },
      },
      options,
    );
    return result as models.UsageExport;
  }

  /** The project's usage by day */
  async projectUsage(
    project: string,
    params: ProjectUsageParams = {},
    options?: RequestOptions,
  ): Promise<models.Usage> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/projects/${encodeURIComponent(String(project))}/usage`,
        operation: "project_usage",
        security: ["UserToken", "ApiKeyAuth"],
        query: { start: params["start"], end: params["end"] },
      },
      options,
    );
    return result as models.Usage;
  }

  /** The tenant's billing state: status, plan, trial, subscription */
  async getBilling(
    tenant: string,
    options?: RequestOptions,
  ): Promise<models.BillingState> {
    const result = await this.send(
      {
        method: "GET",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/billing`,
        operation: "get_billing",
        security: ["UserToken"],
      },
      options,
    );
    return result as models.BillingState;
  }

  /**
   * A Stripe Checkout link to subscribe to a paid plan (owner, billing)
   *
   * The subscription carries the plan's metered prices; a tenant still in its trial keeps the
   * rest of it (Stripe converts it when the trial ends, with the payment method entered here).
   */
  async createCheckout(
    tenant: string,
    body: models.CheckoutRequest,
    options?: RequestOptions,
  ): Promise<models.SessionLink> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/billing/checkout`,
        operation: "create_checkout",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.SessionLink;
  }

  /** A Stripe Customer Portal link (owner, billing) */
  async createPortal(
    tenant: string,
    body: models.PortalRequest,
    options?: RequestOptions,
  ): Promise<models.SessionLink> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/tenants/${encodeURIComponent(String(tenant))}/billing/portal`,
        operation: "create_portal",
        security: ["UserToken"],
        body,
      },
      options,
    );
    return result as models.SessionLink;
  }

  /**
   * Stripe webhook endpoint
   *
   * Verified on the raw body with `Stripe-Signature` (300 s tolerance); each event is processed
   * once (by event id). A bad signature is 400 `webhook_signature_invalid` and changes nothing.
   */
  async stripeWebhook(
    body: models.StripeEvent,
    params: StripeWebhookParams = {},
    options?: RequestOptions,
  ): Promise<models.WebhookReceipt> {
    const result = await this.send(
      {
        method: "POST",
        path: `/v1/billing/stripe/webhook`,
        operation: "stripe_webhook",
        security: [],
        headers: Object.fromEntries(
          Object.entries({ "Stripe-Signature": params["Stripe-Signature"] })
            .filter(([, v]) => v !== undefined && v !== null)
            .map(([k, v]) => [k, String(v)]),
        ),
        body,
      },
      options,
    );
    return result as models.WebhookReceipt;
  }
}
