// Test helpers: talk to the Worker through SELF.fetch, as a client would over HTTP.
import { SELF } from "cloudflare:test";
import type { AuthResponse } from "../../protocol/index.js";

export const BASE = "http://edge-im.test";

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: BodyInit; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: BodyInit | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  const res = await SELF.fetch(BASE + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

let counter = 0;
/** A fresh user with a unique name; each test file gets its own D1, but names stay unique anyway. */
export async function registerUser(prefix = "user", deviceId?: string): Promise<AuthResponse & { token: string }> {
  counter += 1;
  const username = `${prefix}${counter}_${Math.random().toString(36).slice(2, 7)}`;
  const res = await call<AuthResponse>("POST", "/api/auth/register", {
    body: { username, password: "correct horse battery", ...(deviceId ? { deviceId } : {}) },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, token: res.body.accessToken };
}

/** Asserts the uniform error shape and returns the code. */
export function errorCode(answer: Answer): string {
  const err = answer.body?.error;
  if (!err || typeof err.code !== "string" || typeof err.message !== "string") {
    throw new Error(`not an error body: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return err.code;
}
