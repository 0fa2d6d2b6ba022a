// Generated from spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/typescript) and run `make codegen`.
//
// Models of Tidings API 0.1.0: request and response bodies, realtime frames.
// `field?: T` may be absent; `field: T | null` may be null; an optional field can be both.

/** Any JSON value (free-form objects). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

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

/** Scope → topic patterns for a client token (no `admin`). */
export interface Capabilities {
  publish?: Patterns;
  subscribe?: Patterns;
  history?: Patterns;
}

export interface ClientToken {
  /** A JWT for browsers and devices (`Authorization: Bearer`, or `?token=` on realtime endpoints). */
  token: string;
  expires_at: Timestamp;
}

/** Opaque position in a project's event stream. Clients store and send it back; they never parse it. */
export type Cursor = string;

export interface DependencyCheck {
  ok: boolean;
  latency_ms?: number;
  /** Why the dependency is not reachable (present when `ok` is false). */
  error?: string;
}

/** An ASCII address (`local@domain.tld`); internationalized domains in their punycode form. */
export type Email = string;

/** The shape every frame has in common. */
export interface Envelope {
  type: FrameType;
  /** Optional client-chosen correlation id, echoed in the server's reply. */
  id?: string;
}

/** Sent before the server closes a connection, or in reply to a frame it refuses. */
export interface ErrorFrame {
  type: "error";
  id?: string;
  /** Stable code from spec/errors.yaml. */
  code: string;
  message: string;
  /** The WebSocket close code that follows, when the server is about to close. */
  close_code?: number;
  /** Whether the client should reconnect (and resume from its last cursor). */
  retry?: boolean;
}

/** The frame discriminator. */
export type FrameType = string;

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

/** Printable text (no control characters) with at least one visible character. */
export type Name = string;

/** Opaque pagination cursor; pass it back as `after` to get the next page. */
export type PageCursor = string;

/** 12 to 256 characters. */
export type Password = string;

export type Patterns = TopicPattern[];

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
  /** Browser origins allowed to open realtime connections with client tokens (empty = any). */
  allowed_origins?: string[];
}

export interface ProjectUpdate {
  name?: Name;
  settings?: ProjectSettings;
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

/** A member's role in a tenant (see the permission matrix in docs/rbac.md). */
export type Role = "owner" | "admin" | "developer" | "billing" | "viewer";
/** Every value of `Role`, in spec order. */
export const RoleValues: readonly Role[] = ["owner", "admin", "developer", "billing", "viewer"];

/** Tagged by `type`. */
export type ServerFrame = ErrorFrame;

/** A user session. The access token is short-lived; the refresh token rotates on every use. */
export interface Session {
  access_token: string;
  refresh_token: string;
  token_type: "Bearer";
  /** Seconds until the access token expires. */
  expires_in: number;
}

export type SigningAlg = "HS256" | "EdDSA" | "RS256";
/** Every value of `SigningAlg`, in spec order. */
export const SigningAlgValues: readonly SigningAlg[] = ["HS256", "EdDSA", "RS256"];

export interface SigningKey {
  kid: Kid;
  alg: SigningAlg;
  /** PEM public key (EdDSA, RS256). */
  public_key?: string;
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
 * A topic or a NATS-style pattern: dot-separated tokens of `A-Z a-z 0-9 _ -`, where a token
 * may be `*` (exactly one token) and the last token may be `>` (one or more tokens).
 */
export type TopicPattern = string;

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
