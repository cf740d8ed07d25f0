import type { Context } from "hono";
import type { AppEnv, Env } from "../env.js";

/**
 * What the messaging services need from whoever runs them: the bindings and a way to
 * keep background work (pushes) alive after the answer is sent. A Hono request and the
 * UserHub Durable Object (a WebSocket frame) both provide it.
 */
export interface Runtime {
  env: Env;
  waitUntil(promise: Promise<unknown>): void;
}

export function runtimeOf(c: Context<AppEnv>): Runtime {
  return { env: c.env, waitUntil: (promise) => c.executionCtx.waitUntil(promise) };
}

/** Who is acting: the user and the device the request or frame came from. */
export interface Actor {
  userId: string;
  deviceId: string;
}
