import type { z } from "zod";
import { ApiError } from "./api-error.js";
import type { Session } from "./session.js";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type Query = Record<string, string | number | undefined>;

/** Sends one request. fetch by default; uploads swap in XMLHttpRequest for progress events. */
export type Sender = (url: string, init: { method: Method; headers: Record<string, string>; body?: BodyInit }) => Promise<Response>;

export interface RequestOptions {
  query?: Query;
  /** A JSON body (serialized here). */
  json?: unknown;
  /** Raw bytes, with their content type. */
  raw?: { body: BodyInit; contentType: string };
  /** Defaults to true: send `Authorization: Bearer <access token>`. */
  auth?: boolean;
  send?: Sender;
}

/**
 * The HTTP half of the SDK: builds URLs, adds the bearer token, turns every failure into
 * an ApiError, and on `token_expired` refreshes (one refresh shared by all callers) and
 * retries the call once.
 */
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchFn: typeof fetch,
    private readonly session: Session,
  ) {}

  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ""}`;
  }

  /** A 2xx Response, or an ApiError. */
  async request(method: Method, path: string, options: RequestOptions = {}): Promise<Response> {
    const token = options.auth === false ? undefined : this.session.accessToken();
    try {
      return await this.attempt(method, path, options, token);
    } catch (error) {
      if (token && error instanceof ApiError && error.code === "unauthorized") this.session.ended(token);
      if (!(token && error instanceof ApiError && error.code === "token_expired")) throw error;
      await this.session.renew(token);
      return this.attempt(method, path, options, this.session.accessToken());
    }
  }

  /** A JSON call whose answer is checked against the contract's schema. */
  async json<S extends z.ZodType>(method: Method, path: string, schema: S, options?: RequestOptions): Promise<z.output<S>> {
    const response = await this.request(method, path, options);
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError("invalid_response", `${method} ${path} answered ${response.status} with a body that is not JSON`, response.status);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError("invalid_response", `${method} ${path} answered outside the contract: ${parsed.error.message}`, response.status);
    }
    return parsed.data;
  }

  private async attempt(method: Method, path: string, options: RequestOptions, token: string | undefined): Promise<Response> {
    const headers: Record<string, string> = {};
    if (token) headers["Authorization"] = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.raw) {
      headers["Content-Type"] = options.raw.contentType;
      body = options.raw.body;
    }
    let response: Response;
    try {
      response = await (options.send ?? this.fetchFn)(this.url(path, options.query), { method, headers, body });
    } catch (error) {
      throw ApiError.network(error);
    }
    if (response.ok) return response;
    throw ApiError.fromAnswer(response.status, await response.text().catch(() => ""), response.headers.get("Retry-After"));
  }
}

/** A path segment: ids are UUIDs, but conversation ids hold `:`. */
export const seg = (value: string) => encodeURIComponent(value);
