// Generated from spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/typescript) and run `make codegen`.
//
// Models of Tidings API 0.1.0: request and response bodies, realtime frames.
// `field?: T` may be absent; `field: T | null` may be null; an optional field can be both.

/** Any JSON value (free-form objects). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Acknowledge an event of a durable subscription (by the event's cursor). */
export interface Ack {
  type: "ack";
  id?: FrameId;
  durable: DurableName;
  cursor: Cursor;
}

export interface AckRequest {
  ack_tokens: string[];
  /** `ack` (done), `nak` (deliver again now) or `term` (give up, no dead letter). */
  action?: AckRequestAction;
}

/** `ack` (done), `nak` (deliver again now) or `term` (give up, no dead letter). */
export type AckRequestAction = "ack" | "nak" | "term";
/** Every value of `AckRequestAction`, in spec order. */
export const AckRequestActionValues: readonly AckRequestAction[] = ["ack", "nak", "term"];

export interface ApiKey {
  id: Id;
  /** The public part of the key, safe to log. */
  key_id: string;
  project_id: Id;
  name: Name;
  scopes: Grants;
  rate_limit?: RateLimit;
  created_at: Timestamp;
  last_used_at?: Timestamp;
  expires_at?: Timestamp;
  revoked_at?: Timestamp;
}

export interface ApiKeyCreate {
  name: Name;
  scopes: Grants;
  expires_at?: Timestamp;
  rate_limit?: RateLimit;
}

export interface ApiKeyList {
  items: ApiKey[];
  next_cursor?: PageCursor;
}

export interface ApiKeyWithSecret {
  id: Id;
  /** The public part of the key, safe to log. */
  key_id: string;
  project_id: Id;
  name: Name;
  scopes: Grants;
  rate_limit?: RateLimit;
  created_at: Timestamp;
  last_used_at?: Timestamp;
  expires_at?: Timestamp;
  revoked_at?: Timestamp;
  /** The whole key. Shown this once; store it now. */
  key: string;
}

export interface AuditEntry {
  id: string;
  tenant_id?: Id;
  action: string;
  actor: AuditEntryActor;
  target?: AuditEntryTarget;
  request_id?: string;
  source_ip?: string;
  details?: Record<string, unknown>;
  created_at: Timestamp;
}

export interface AuditEntryActor {
  type: AuditEntryActorType;
  id: string;
}

export type AuditEntryActorType = "user" | "api_key" | "operator" | "system";
/** Every value of `AuditEntryActorType`, in spec order. */
export const AuditEntryActorTypeValues: readonly AuditEntryActorType[] = ["user", "api_key", "operator", "system"];

export interface AuditEntryTarget {
  type: string;
  id: string;
}

export interface AuditList {
  items: AuditEntry[];
  next_cursor?: PageCursor;
}

/** Replace the connection's credential (a fresh client token) without dropping subscriptions. */
export interface Auth {
  type: "auth";
  id?: FrameId;
  token: string;
}

export interface Authed {
  type: "authed";
  id?: FrameId;
  expires_at: Timestamp;
}

export interface BillingState {
  tenant_id: Id;
  status: TenantStatus;
  plan: string;
  trial_ends_at?: string | null;
  suspended_reason?: string | null;
  subscription_status?: string | null;
  past_due_since?: string | null;
  has_stripe_customer: boolean;
  has_payment_method: boolean;
}

/** Scope → topic patterns for a client token (no `admin`). */
export interface Capabilities {
  publish?: Patterns;
  subscribe?: Patterns;
  history?: Patterns;
}

export interface CheckoutRequest {
  plan: PlanName;
  success_url: ReturnUrl;
  cancel_url: ReturnUrl;
}

/** Tagged by `type`. */
export type ClientFrame = Subscribe | Unsubscribe | Ack | Ping | Auth;

export interface ClientToken {
  /** A JWT for browsers and devices (`Authorization: Bearer`, or `?token=` on realtime endpoints). */
  token: string;
  expires_at: Timestamp;
}

export type Cursor = EventCursor;

export interface DeadLetter {
  id: string;
  subscription: SubscriptionName;
  reason: string;
  deliveries: number;
  dead_at: string;
  event: Event;
}

export interface DeadLetterList {
  items: DeadLetter[];
  next_cursor?: PageCursor;
}

export interface Delivery {
  event: Event;
  /** Acknowledge this delivery with it (`…/ack`). */
  ack_token: string;
  /** Times this event was delivered to the subscription, this one included. */
  deliveries: number;
}

export interface DeliveryList {
  items: Delivery[];
}

export interface DependencyCheck {
  ok: boolean;
  latency_ms?: number;
  /** Why the dependency is not reachable (present when `ok` is false). */
  error?: string;
}

/** Name of a durable (acknowledged) subscription of the project. */
export type DurableName = string;

/** An ASCII address (`local@domain.tld`, local part up to 64 characters); internationalized domains in their punycode form. */
export type Email = string;

/** Sent before the server closes a connection, or in reply to a frame it refuses. */
export interface ErrorFrame {
  type: "error";
  id?: FrameId;
  /** Stable code from spec/errors.yaml. */
  code: string;
  message: string;
  /** The WebSocket close code that follows, when the server is about to close. */
  close_code?: number;
  /** Whether the client should reconnect (and resume from its last cursor). */
  retry?: boolean;
}

export interface Event {
  id: EventId;
  topic: Topic;
  /** The payload as published. */
  data: unknown;
  published_at: Timestamp;
  cursor: EventCursor;
  /** Trace context (`traceparent`) when the publisher sent one. */
  headers?: Record<string, string>;
}

export interface EventBatchCreate {
  /** 1 to 100 events, stored in this order. The whole request is at most 1 MiB. */
  events: EventCreate[];
}

export interface EventCreate {
  topic: Topic;
  /**
   * Any JSON value, at most 64 KiB as compact JSON and 32 levels deep; validated against
   * every schema registered for a pattern matching `topic`.
   */
  data: unknown;
  id?: EventId;
}

/** Opaque position in the project's event stream, just after one event; pass it back unchanged. */
export type EventCursor = string;

/** One event, in order within its topic. */
export interface EventFrame {
  id: EventId;
  topic: Topic;
  /** The payload as published. */
  data: unknown;
  published_at: Timestamp;
  cursor: EventCursor;
  /** Trace context (`traceparent`) when the publisher sent one. */
  headers?: Record<string, string>;
  type: "event";
  durable?: DurableName;
}

/**
 * The event's id. Sent by the publisher (then also its de-duplication id when no
 * `Idempotency-Key` is given) or generated by the server.
 */
export type EventId = string;

export interface EventPage {
  items: Event[];
  next_cursor: EventCursor;
  /** Whether more matching events are stored after `next_cursor` now. */
  has_more: boolean;
}

/**
 * Several events in one frame, in order, each with its own cursor. Sent when more than one
 * event is pending for the connection (bursts, replay, catch-up); bounded by count and bytes.
 */
export interface EventsFrame {
  type: "events";
  durable?: DurableName;
  events: Event[];
}

/** Optional client-chosen correlation id, echoed in the server's reply. */
export type FrameId = string;

/**
 * Scope → topic patterns the scope is limited to. A scope that is absent is not granted;
 * `[">"]` grants it on every topic. `admin` ignores patterns (it manages the project).
 */
export interface Grants {
  publish?: Patterns;
  subscribe?: Patterns;
  history?: Patterns;
  admin?: Patterns;
}

export interface Health {
  status: "ok";
}

export type Id = string;

export interface Invitation {
  id: Id;
  tenant_id: Id;
  email: string;
  role: Role;
  expires_at: Timestamp;
  /** The invitation secret, shown once; the invitee presents it to accept. */
  token?: string;
}

/** Accept as the signed-in user, or sign up at the same time (with `name` and `password`). */
export interface InvitationAccept {
  token: string;
  name?: Name;
  password?: Password;
}

export interface InvitationCreate {
  email: Email;
  role: Role;
}

export type Kid = string;

export interface LimitUsage {
  /** The plan limit (`events_per_month`, `deliveries_per_month`). */
  limit: string;
  used: number;
  max: number;
  ratio: number;
  /** At or past the plan's `warn_ratio` (soft limit). */
  warning: boolean;
  /** At or past the limit (hard limit). */
  reached: boolean;
}

export interface Login {
  email: Email;
  password: string;
}

export interface Member {
  user_id: Id;
  email: string;
  name: string;
  role: Role;
  created_at: Timestamp;
}

export interface MemberList {
  items: Member[];
}

export interface MemberUpdate {
  role: Role;
}

/**
 * Usage by metric: `events_published`, `messages_delivered`, `api_calls`, `connection_seconds`
 * (sums), `peak_connections`, `storage_bytes` (daily maxima). Metrics without usage are absent.
 */
export type Metrics = Record<string, number>;

/** Printable text (no control characters, C0 or C1) with at least one visible character. */
export type Name = string;

/** Opaque pagination cursor; pass it back as `after` to get the next page. */
export type PageCursor = string;

/** 12 to 256 characters. */
export type Password = string;

export type Patterns = TopicPattern[];

export interface Ping {
  type: "ping";
  id?: FrameId;
}

/** A plan's hard limits; `null` is unlimited. Monthly limits count the UTC calendar month. */
export interface Plan {
  name: PlanName;
  display_name: string;
  events_per_month: number | null;
  deliveries_per_month: number | null;
  peak_connections: number | null;
  /** Events per second */
  publish_rate: number | null;
  publish_burst: number | null;
  max_projects: number | null;
  retention_max_age_seconds: number | null;
  /** Share of a limit past which usage is flagged (soft limit). */
  warn_ratio: number;
  /** `block`: refuse past a monthly limit (403 `usage_limit_reached`); `bill`: serve and bill the overage. */
  overage: PlanOverage;
  stripe_price_ids: string[];
}

export interface PlanList {
  items: Plan[];
}

export type PlanName = string;

/** `block`: refuse past a monthly limit (403 `usage_limit_reached`); `bill`: serve and bill the overage. */
export type PlanOverage = "block" | "bill";
/** Every value of `PlanOverage`, in spec order. */
export const PlanOverageValues: readonly PlanOverage[] = ["block", "bill"];

export interface PlanUpdate {
  display_name?: Name;
  events_per_month?: number | null;
  deliveries_per_month?: number | null;
  peak_connections?: number | null;
  publish_rate?: number | null;
  publish_burst?: number | null;
  max_projects?: number | null;
  retention_max_age_seconds?: number | null;
  warn_ratio?: number;
  overage?: PlanUpdateOverage;
  stripe_price_ids?: string[];
}

export type PlanUpdateOverage = "block" | "bill";
/** Every value of `PlanUpdateOverage`, in spec order. */
export const PlanUpdateOverageValues: readonly PlanUpdateOverage[] = ["block", "bill"];

export interface Pong {
  type: "pong";
  id?: FrameId;
}

export interface PortalRequest {
  return_url: ReturnUrl;
}

export interface Problem {
  /** A URI reference naming the problem type (`https://tidings.dev/problems/<code>`). */
  type: string;
  /** Short, human-readable summary of the problem type. */
  title: string;
  /** The HTTP status code of this response. */
  status: number;
  /** Stable machine-readable error code (see the error registry, spec/errors.yaml). */
  code: string;
  /** Human-readable explanation specific to this occurrence. */
  detail?: string;
  /** The request path that produced the problem. */
  instance?: string;
  /** The request id (also in the `X-Request-ID` response header); quote it to support. */
  request_id?: string;
  /** Individual violations, for validation problems. */
  errors?: Violation[];
}

export interface Project {
  id: Id;
  tenant_id: Id;
  slug: Slug;
  name: Name;
  settings: ProjectSettings;
  created_at: Timestamp;
}

export interface ProjectCreate {
  slug: Slug;
  name: Name;
  settings?: ProjectSettings;
}

export interface ProjectList {
  items: Project[];
  next_cursor?: PageCursor;
}

/** Per-project settings; later issues add retention and limits. */
export interface ProjectSettings {
  /**
   * Browser origins (web pages) allowed to use the project's data plane with client tokens:
   * the SSE stream, the WebSocket, publish and replay. Each entry is an origin
   * (`https://app.example.com`, `http://127.0.0.1:17690`; no port means the scheme's default)
   * or a wildcard `https://*.example.com`, which matches any host ending in `.example.com`
   * (one or more labels before it; never `example.com` itself) with that scheme and port.
   * Matching is on the whole origin (full match), case-insensitive on the host; `null`
   * origins match nothing. An allowed origin gets CORS headers (`Access-Control-Allow-Origin`
   * with that origin, `Vary: Origin`); any other gets none, and a client token sent from it is
   * refused with `origin_not_allowed` (403 over HTTP, close 4406 on WebSocket). API keys are
   * not checked (servers send no `Origin`). Empty (the default) allows any origin: set it in
   * production, so a client token is usable only from your own sites.
   */
  allowed_origins?: string[];
  /**
   * The longest a client token of this project may live, in seconds (default one day). Enforced
   * at verification for every client token, minted by the server or signed by your backend: a
   * token whose `exp` is further than this from now, or from its `iat`, is refused (401 / close
   * 4401). Minting a longer `ttl_seconds` is 400 `validation_failed`.
   */
  max_client_token_ttl?: number;
}

export interface ProjectState {
  id: Id;
  tenant_id: Id;
  suspended: boolean;
}

export interface ProjectUpdate {
  name?: Name;
  settings?: ProjectSettings;
}

export interface Published {
  id: EventId;
  topic: Topic;
  cursor: EventCursor;
  published_at: Timestamp;
  /** True when this answers a retry within the duplicate window (the original event, not a new one). */
  duplicate: boolean;
}

export interface PublishedBatch {
  items: Published[];
}

export interface PullRequest {
  max_events?: number;
  /** How long to wait for a first event when none is pending. */
  wait_ms?: number;
}

export interface PurgeResult {
  purged: number;
}

/** Per-key override of the plan's request rate. */
export interface RateLimit {
  per_second: number;
  burst: number;
}

export interface Readiness {
  status: ReadinessStatus;
  /** One entry per dependency. */
  checks: Record<string, DependencyCheck>;
}

export type ReadinessStatus = "ready" | "unavailable";
/** Every value of `ReadinessStatus`, in spec order. */
export const ReadinessStatusValues: readonly ReadinessStatus[] = ["ready", "unavailable"];

export interface RefreshRequest {
  refresh_token: string;
}

/**
 * The cursor of a subscription is older than what the stream keeps (retention) or of another
 * stream epoch. Events between it and `oldest_cursor` are gone; the subscription continues from
 * `oldest_cursor`. Never silent loss: the client decides what to do (e.g. refetch state).
 */
export interface Reset {
  type: "reset";
  id?: FrameId;
  topic: string;
  oldest_cursor: Cursor;
  reason: ResetReason;
}

export type ResetReason = "expired" | "epoch";
/** Every value of `ResetReason`, in spec order. */
export const ResetReasonValues: readonly ResetReason[] = ["expired", "epoch"];

export interface Resume {
  /** The status to resume in; default `active`, or `trialing` while the trial lasts. */
  status?: ResumeStatus;
}

/** The status to resume in; default `active`, or `trialing` while the trial lasts. */
export type ResumeStatus = "active" | "trialing";
/** Every value of `ResumeStatus`, in spec order. */
export const ResumeStatusValues: readonly ResumeStatus[] = ["active", "trialing"];

/**
 * Limits of the project's stream, applied by JetStream at once: events older than
 * `max_age_seconds` are removed, and the oldest go whenever more than `max_events` events or
 * `max_bytes` bytes are stored. Bounded by the plan.
 */
export interface Retention {
  max_age_seconds: number;
  max_events: number;
  max_bytes: number;
}

export interface RetentionState {
  policy: Retention;
  stored_events: number;
  stored_bytes: number;
  oldest_cursor: EventCursor;
}

export type ReturnUrl = string;

/** A member's role in a tenant (see the permission matrix in docs/rbac.md). */
export type Role = "owner" | "admin" | "developer" | "billing" | "viewer";
/** Every value of `Role`, in spec order. */
export const RoleValues: readonly Role[] = ["owner", "admin", "developer", "billing", "viewer"];

/**
 * Registers a new version of the schema for `topic` (a topic or pattern). With
 * `compatibility: backward` (default), every event valid under the current version must
 * stay valid under the new one, checked structurally: `type` may only widen, `required`
 * may not grow, properties may not be removed under `additionalProperties: false` nor may it
 * become false, `enum` may only grow, `const` may not change, bounds may only loosen, and
 * `pattern`/`format` may not be added or changed. `none` skips the check.
 *
 * Patterns (`pattern`, `patternProperties` keys) run on a linear-time engine (RE2
 * semantics: Rust's `regex` crate), so no pattern and string can make validation
 * backtrack. ECMA-262 constructs that need backtracking are refused with 422
 * `schema_unsupported` naming the construct: backreferences (`\1`, `\k<name>`) and
 * lookaround (`(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`); so are `$dynamicRef` and `$id` below
 * the root. A pattern is at most 1,000 characters and 1 MiB compiled (a large counted
 * repetition such as `(\p{L}|\p{N}){1,100}` is over it: 400 `validation_failed`).
 * `format` is an annotation, not checked.
 *
 * Validation has a budget per event. At registration the schema's work per value is
 * bounded statically: a `$ref` cycle that does not descend into the value, subschemas
 * multiplying through `$ref`/`allOf`/`anyOf`/`oneOf` or recursion past the budget for one
 * value, more than 2,048 subschemas, an `enum` of more than 1,024 values or nesting deeper
 * than 64 levels are refused with 422 `schema_too_expensive`. At publish, an event whose
 * work against every schema for its topic is over the budget is refused with 422
 * `schema_too_expensive` before anything is validated or stored. A project has active
 * schemas for at most 100 topics or patterns (422 `schema_limit_reached`).
 */
export interface SchemaCreate {
  topic: TopicPattern;
  /** A JSON Schema (draft 2020-12), at most 64 KiB, with local `$ref`s only. */
  schema: Record<string, unknown>;
  description?: string;
  compatibility?: SchemaCreateCompatibility;
}

export type SchemaCreateCompatibility = "backward" | "none";
/** Every value of `SchemaCreateCompatibility`, in spec order. */
export const SchemaCreateCompatibilityValues: readonly SchemaCreateCompatibility[] = ["backward", "none"];

/** Tagged by `type`. */
export type ServerFrame = Welcome | Subscribed | Unsubscribed | EventFrame | EventsFrame | Reset | Pong | Authed | ErrorFrame;

/** A user session. The access token is short-lived; the refresh token rotates on every use. */
export interface Session {
  access_token: string;
  refresh_token: string;
  token_type: "Bearer";
  /** Seconds until the access token expires. */
  expires_in: number;
}

export interface SessionLink {
  url: string;
}

export type SigningAlg = "HS256" | "EdDSA" | "RS256";
/** Every value of `SigningAlg`, in spec order. */
export const SigningAlgValues: readonly SigningAlg[] = ["HS256", "EdDSA", "RS256"];

export interface SigningKey {
  kid: Kid;
  alg: SigningAlg;
  /** PEM public key (EdDSA, RS256). */
  public_key?: string;
  /**
   * Present when an API key registered this signing key: that key's `publish`, `subscribe` and
   * `history` grants, the most a token signed with it may carry (a token asking for more is
   * refused, 401), so a narrow key cannot sign itself a wider token. Absent: registered by a
   * signed-in user, no cap beyond the project's.
   */
  max_capabilities?: Capabilities;
  created_at: Timestamp;
}

/**
 * HS256: the server generates the secret and returns it once. EdDSA (Ed25519) and RS256
 * (2048 bits or more): send the PEM public key; the private key never leaves your backend.
 */
export interface SigningKeyCreate {
  kid: Kid;
  alg: SigningAlg;
  public_key?: string;
}

export interface SigningKeyList {
  items: SigningKey[];
}

export interface SigningKeyWithSecret {
  kid: Kid;
  alg: SigningAlg;
  /** PEM public key (EdDSA, RS256). */
  public_key?: string;
  /**
   * Present when an API key registered this signing key: that key's `publish`, `subscribe` and
   * `history` grants, the most a token signed with it may carry (a token asking for more is
   * refused, 401), so a narrow key cannot sign itself a wider token. Absent: registered by a
   * signed-in user, no cap beyond the project's.
   */
  max_capabilities?: Capabilities;
  created_at: Timestamp;
  /** For HS256 keys, the generated secret, shown this once. Sign with it as the HMAC key as it is (its ASCII bytes). */
  secret?: string;
}

export interface Signup {
  email: Email;
  password: Password;
  name: Name;
  tenant: TenantCreate;
}

/** Lower-case letters, digits and single hyphens; starts with a letter. */
export type Slug = string;

/** A Stripe event as Stripe sends it; verified against `Stripe-Signature` on the raw body. */
export type StripeEvent = Record<string, unknown>;

/**
 * Start receiving events whose topic matches `topic` (NATS semantics: `*` one token, `>` the
 * rest). With `cursor`, events after it are replayed first, then live ones follow with no
 * gap and no duplicate. With `durable`, events come from that durable subscription and each
 * must be acknowledged (`ack`); unacknowledged ones are redelivered.
 */
export interface Subscribe {
  type: "subscribe";
  id?: FrameId;
  topic: TopicPattern;
  cursor?: Cursor;
  durable?: DurableName;
}

export interface Subscribed {
  type: "subscribed";
  id?: FrameId;
  topic: string;
  durable?: DurableName;
  /**
   * Where delivery starts: events after this cursor follow. Without a `cursor` in
   * `subscribe`, the stream's position when the subscription went live; with one, that
   * cursor (the replay of what follows it comes first).
   */
  cursor?: Cursor;
}

export interface Subscription {
  name: SubscriptionName;
  topic: TopicPattern;
  ack_wait_seconds: number;
  max_deliveries: number;
  created_at: Timestamp;
}

export interface SubscriptionCreate {
  name: SubscriptionName;
  topic: TopicPattern;
  /** Seconds an unacknowledged delivery waits before it is delivered again. */
  ack_wait_seconds?: number;
  /** Deliveries before an event goes to the dead-letter stream. */
  max_deliveries?: number;
}

export interface SubscriptionList {
  items: Subscription[];
  next_cursor?: PageCursor;
}

export type SubscriptionName = string;

export interface Suspend {
  reason?: SuspendReason;
  note?: string;
}

export type SuspendReason = "operator" | "abuse" | "usage";
/** Every value of `SuspendReason`, in spec order. */
export const SuspendReasonValues: readonly SuspendReason[] = ["operator", "abuse", "usage"];

export interface Tenant {
  id: Id;
  slug: Slug;
  name: Name;
  status: TenantStatus;
  plan: string;
  created_at: Timestamp;
  role?: Role;
}

export interface TenantCreate {
  slug: Slug;
  name: Name;
}

export interface TenantList {
  items: Tenant[];
  next_cursor?: PageCursor;
}

export interface TenantPlan {
  plan: PlanName;
}

export type TenantStatus = "trialing" | "active" | "past_due" | "suspended" | "canceled";
/** Every value of `TenantStatus`, in spec order. */
export const TenantStatusValues: readonly TenantStatus[] = ["trialing", "active", "past_due", "suspended", "canceled"];

export interface TenantUpdate {
  name?: Name;
}

export type Timestamp = string;

export interface TokenRequest {
  /** Your end user's id, carried as the token's `sub`. */
  user_id: string;
  capabilities: Capabilities;
  ttl_seconds?: number;
}

/**
 * A concrete topic: 1 to 16 dot-separated tokens of `A-Z a-z 0-9 _ -` (case-sensitive), at
 * most 255 characters, no wildcards. Subscriptions and filters use patterns (`*`, `>`).
 */
export type Topic = string;

/**
 * A topic or a NATS-style pattern: dot-separated tokens of `A-Z a-z 0-9 _ -`, where a token
 * may be `*` (exactly one token) and the last token may be `>` (one or more tokens).
 */
export type TopicPattern = string;

export interface TopicSchema {
  id: Id;
  topic: TopicPattern;
  version: number;
  schema: Record<string, unknown>;
  description?: string;
  status: TopicSchemaStatus;
  created_at: Timestamp;
  deprecated_at?: Timestamp;
}

export interface TopicSchemaList {
  items: TopicSchema[];
  next_cursor?: PageCursor;
}

export type TopicSchemaStatus = "active" | "deprecated";
/** Every value of `TopicSchemaStatus`, in spec order. */
export const TopicSchemaStatusValues: readonly TopicSchemaStatus[] = ["active", "deprecated"];

export interface Unsubscribe {
  type: "unsubscribe";
  id?: FrameId;
  topic: TopicPattern;
}

export interface Unsubscribed {
  type: "unsubscribed";
  id?: FrameId;
  topic: string;
}

/**
 * Usage from the ledger, in daily (UTC) buckets. Counts reach the ledger within
 * `TIDINGS_USAGE_FLUSH_INTERVAL` (5 s) of happening.
 */
export interface Usage {
  tenant_id: Id;
  project_id?: Id;
  start: string;
  end: string;
  days: UsageDay[];
  totals: Metrics;
  plan: string;
  /** The current month's totals of the tenant (what the limits count). */
  month: UsageMonth;
  limits: LimitUsage[];
}

export interface UsageDay {
  day: string;
  metrics: Metrics;
}

export interface UsageExport {
  tenant_id: Id;
  start: string;
  end: string;
  rows: UsageRow[];
}

/** The current month's totals of the tenant (what the limits count). */
export interface UsageMonth {
  start: string;
  totals: Metrics;
}

export interface UsageRow {
  day: string;
  project_id: Id;
  metric: string;
  quantity: number;
  kind: UsageRowKind;
}

export type UsageRowKind = "sum" | "max";
/** Every value of `UsageRowKind`, in spec order. */
export const UsageRowKindValues: readonly UsageRowKind[] = ["sum", "max"];

export interface User {
  id: Id;
  email: string;
  name: string;
  /** Platform operator (cross-tenant support and kill switch). */
  operator: boolean;
  memberships: UserMembershipsItem[];
}

export interface UserMembershipsItem {
  tenant_id: Id;
  role: Role;
}

export interface Version {
  /** The server's release version. */
  version: string;
  /** The version of spec/openapi.yaml the server implements. */
  api_version: string;
  python: string;
}

export interface Violation {
  /** JSON Pointer (RFC 6901) into the request body, or the parameter name. */
  pointer?: string;
  message: string;
}

export interface WebhookReceipt {
  received: boolean;
  outcome: WebhookReceiptOutcome;
}

export type WebhookReceiptOutcome = "processed" | "duplicate" | "ignored" | "stale";
/** Every value of `WebhookReceiptOutcome`, in spec order. */
export const WebhookReceiptOutcomeValues: readonly WebhookReceiptOutcome[] = ["processed", "duplicate", "ignored", "stale"];

/** First frame of every connection. */
export interface Welcome {
  type: "welcome";
  connection_id: string;
  /** The server sends a frame (or a ping) at least this often; silence for twice as long means a dead connection. */
  heartbeat_ms: number;
  /** The largest client frame the server accepts. */
  max_frame_bytes: number;
}

export interface Whoami {
  credential: WhoamiCredential;
  /** `key:<key id>`, the client token's end-user id, or the user id. */
  subject: string;
  /** Public id of the API key (the part of the key that is safe to log). */
  key_id?: string;
  tenant_id?: Id;
  project_id?: Id;
  /** Scope → topic patterns (API keys and client tokens). */
  scopes?: Record<string, string[]>;
}

export type WhoamiCredential = "api_key" | "client_token" | "user";
/** Every value of `WhoamiCredential`, in spec order. */
export const WhoamiCredentialValues: readonly WhoamiCredential[] = ["api_key", "client_token", "user"];
