// Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/typescript) and run `make codegen`.
//
// One method per REST operation of Petstore fixture 1.2.3. `Operations` only shapes
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
  ApiKeyHeader: { type: "apiKey", scheme: null, in: "header", name: "X-API-Key" },
  ApiKeyQuery: { type: "apiKey", scheme: null, in: "query", name: "api_key" },
  BearerAuth: { type: "http", scheme: "bearer", in: null, name: null },
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

/** Query and header parameters of `listPets`. */
export interface ListPetsParams {
  after?: models.PageCursor;
  limit?: number;
  /** Only pets with all of these tags. */
  tag?: string[];
  color?: models.Color;
  /** A parameter named like a keyword. */
  from?: string;
  "X-Trace-Id"?: string;
}

/** Query and header parameters of `listVisits`. */
export interface ListVisitsParams {
  after?: models.PageCursor;
}

/** The REST operations; subclasses provide `send`. */
export abstract class Operations {
  /** Perform `request`; resolve to the decoded JSON body (undefined when there is none). */
  protected abstract send(request: ApiRequest, options?: RequestOptions): Promise<unknown>;

  /** List pets, newest first */
  async listPets(
    params: ListPetsParams = {},
    options?: RequestOptions,
  ): Promise<models.PetPage> {
    const result = await this.send(
      {
        method: "GET",
        path: `/pets`,
        operation: "list_pets",
        security: ["BearerAuth"],
        query: { after: params["after"], limit: params["limit"], tag: params["tag"], color: params["color"], from: params["from"] },
        headers: Object.fromEntries(
          Object.entries({ "X-Trace-Id": params["X-Trace-Id"] })
            .filter(([, v]) => v !== undefined && v !== null)
            .map(([k, v]) => [k, String(v)]),
        ),
      },
      options,
    );
    return result as models.PetPage;
  }

  /** Every item of `listPets`, fetching page after page by `next_cursor`. */
  async *iterPets(
    params: ListPetsParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<models.Pet, void, undefined> {
    let page_params: ListPetsParams = { ...params };
    for (;;) {
      const page = await this.listPets(page_params, options);
      yield* page["items"];
      const next = page["next_cursor"];
      if (next === undefined || next === null || next === "") return;
      page_params = { ...page_params, ["after"]: next };
    }
  }

  /** Create a pet */
  async createPet(
    body: models.Pet,
    options?: RequestOptions,
  ): Promise<models.Pet> {
    const result = await this.send(
      {
        method: "POST",
        path: `/pets`,
        operation: "create_pet",
        security: ["ApiKeyHeader", "BearerAuth"],
        body,
      },
      options,
    );
    return result as models.Pet;
  }

  async getPet(
    petId: number,
    options?: RequestOptions,
  ): Promise<models.Pet> {
    const result = await this.send(
      {
        method: "GET",
        path: `/pets/${encodeURIComponent(String(petId))}`,
        operation: "get_pet",
        security: ["BearerAuth"],
      },
      options,
    );
    return result as models.Pet;
  }

  /** @deprecated */
  async deletePet(
    petId: number,
    options?: RequestOptions,
  ): Promise<void> {
    await this.send(
      {
        method: "DELETE",
        path: `/pets/${encodeURIComponent(String(petId))}`,
        operation: "delete_pet",
        security: ["ApiKeyQuery"],
      },
      options,
    );
  }

  /** Absent fields are kept; `null` clears a nullable one. */
  async updatePet(
    petId: number,
    body?: models.PetUpdate,
    options?: RequestOptions,
  ): Promise<models.Pet> {
    const result = await this.send(
      {
        method: "PATCH",
        path: `/pets/${encodeURIComponent(String(petId))}`,
        operation: "update_pet",
        security: ["BearerAuth"],
        body,
      },
      options,
    );
    return result as models.Pet;
  }

  /**
   * A pet's visits, oldest first
   *
   * A page always carries `next_cursor` (where to resume later); `has_more` says whether more
   * visits are there now.
   */
  async listVisits(
    petId: number,
    params: ListVisitsParams = {},
    options?: RequestOptions,
  ): Promise<models.VisitPage> {
    const result = await this.send(
      {
        method: "GET",
        path: `/pets/${encodeURIComponent(String(petId))}/visits`,
        operation: "list_visits",
        security: ["BearerAuth"],
        query: { after: params["after"] },
      },
      options,
    );
    return result as models.VisitPage;
  }

  /** Every item of `listVisits`, fetching page after page by `next_cursor` while `has_more`. */
  async *iterVisits(
    petId: number,
    params: ListVisitsParams = {},
    options?: RequestOptions,
  ): AsyncGenerator<models.Visit, void, undefined> {
    let page_params: ListVisitsParams = { ...params };
    for (;;) {
      const page = await this.listVisits(petId, page_params, options);
      yield* page["items"];
      const next = page["next_cursor"];
      if (next === undefined || next === null || next === "") return;
      // The page may carry a cursor (where to resume later) with no more items now.
      if (page["has_more"] === false) return;
      page_params = { ...page_params, ["after"]: next };
    }
  }

  /** Path parameters that are a ref'd string and an enum */
  async petsByColor(
    owner: models.Id,
    color: models.Color,
    options?: RequestOptions,
  ): Promise<models.Pet[]> {
    const result = await this.send(
      {
        method: "GET",
        path: `/owners/${encodeURIComponent(String(owner))}/pets/${encodeURIComponent(String(color))}`,
        operation: "pets_by_color",
        security: [],
      },
      options,
    );
    return result as models.Pet[];
  }

  async census(
    options?: RequestOptions,
  ): Promise<models.Census> {
    const result = await this.send(
      {
        method: "GET",
        path: `/census`,
        operation: "census",
        security: [],
      },
      options,
    );
    return result as models.Census;
  }
}
