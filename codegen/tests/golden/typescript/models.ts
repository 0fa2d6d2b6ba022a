// Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/typescript) and run `make codegen`.
//
// Models of Petstore fixture 1.2.3: request and response bodies, realtime frames.
// `field?: T` may be absent; `field: T | null` may be null; an optional field can be both.

/** Any JSON value (free-form objects). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Cat {
  id: number;
  name: string;
  /** Required but may be null. */
  nickname: string | null;
  /** Optional and nullable (a ref via allOf). */
  owner_id?: Id | null;
  tags?: Tag[];
  labels?: Record<string, string>;
  scores?: Record<string, Score>;
  /** Free-form. */
  metadata?: Record<string, unknown>;
  color?: Color;
  size?: Size;
  kind: "cat";
  indoor: boolean;
}

export interface Census {
  total: number;
  [key: string]: unknown;
}

/** Tagged by `type`. */
export type ClientFrame = Subscribe;

/** Coat colour. */
export type Color = "black" | "white" | "ginger" | "tabby-grey";
/** Every value of `Color`, in spec order. */
export const ColorValues: readonly Color[] = ["black", "white", "ginger", "tabby-grey"];

export type Cursor = string;

export interface Dog {
  id: number;
  name: string;
  /** Required but may be null. */
  nickname: string | null;
  /** Optional and nullable (a ref via allOf). */
  owner_id?: Id | null;
  tags?: Tag[];
  labels?: Record<string, string>;
  scores?: Record<string, Score>;
  /** Free-form. */
  metadata?: Record<string, unknown>;
  color?: Color;
  size?: Size;
  kind: "dog";
  good_boy?: boolean;
  /** A property named like a keyword. */
  class?: string;
  "x-breed"?: string;
}

export interface Event {
  type: "event";
  topic: string;
  cursor?: Cursor;
  data: unknown;
}

export interface Hello {
  type: "hello";
  session: string;
}

export type Id = string;

/** A display name. */
export type Name = string;

/** Opaque; pass it back as `after`. */
export type PageCursor = string;

/** Tagged by `kind`. */
export type Pet = Cat | Dog;

export interface PetBase {
  id: number;
  name: string;
  /** Required but may be null. */
  nickname: string | null;
  /** Optional and nullable (a ref via allOf). */
  owner_id?: Id | null;
  tags?: Tag[];
  labels?: Record<string, string>;
  scores?: Record<string, Score>;
  /** Free-form. */
  metadata?: Record<string, unknown>;
  color?: Color;
  size?: Size;
}

export interface PetPage {
  items: Pet[];
  /** Null on the last page. */
  next_cursor: PageCursor | null;
}

export interface PetUpdate {
  name?: string;
  nickname?: string | null;
  owner_id?: Id | null;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  request_id?: string;
  errors?: Violation[];
}

export type Score = ScoreVariant1 | ScoreVariant2;

export interface ScoreVariant1 {
  points: number;
}

export interface ScoreVariant2 {
  grade: string;
}

/** Tagged by `type`. */
export type ServerFrame = Hello | Event;

export type Size = 1 | 2 | 3;
/** Every value of `Size`, in spec order. */
export const SizeValues: readonly Size[] = [1, 2, 3];

export interface Subscribe {
  type: "subscribe";
  pattern: string;
  cursor?: Cursor;
}

export interface Tag {
  name: Name;
  weight?: number;
}

/** Declared but never sent; included through `schemas` in the config. */
export interface Unused {
  note?: string;
}

export interface Violation {
  pointer?: string;
  message: string;
}

export interface Visit {
  at: string;
  note?: string;
}

export interface VisitPage {
  items: Visit[];
  next_cursor: PageCursor;
  /** Whether more visits follow `next_cursor` now. */
  has_more: boolean;
}
