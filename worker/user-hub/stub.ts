import type { Env } from "../env.js";
import type { UserHub } from "./user-hub.js";

/** The Durable Object of one user: one per user id, holding all of that user's edge sockets. */
export function userHub(env: Env, userId: string): DurableObjectStub<UserHub> {
  // env.ts declares the binding untyped; this is the one place that names its class.
  const namespace = env.USER_HUB as unknown as DurableObjectNamespace<UserHub>;
  return namespace.get(namespace.idFromName(userId));
}

/**
 * Headers the Worker sets when it forwards an authenticated upgrade to the user's object.
 * The object is reachable only through the Worker, which verified the token first.
 */
export const HUB_HEADERS = {
  userId: "X-EdgeIM-User-Id",
  deviceId: "X-EdgeIM-Device-Id",
  /** The token's session: the object refuses an ended one and closes its sockets when it ends. */
  sessionId: "X-EdgeIM-Session-Id",
  /** The Sec-WebSocket-Protocol to echo in the 101 answer (browsers require it). */
  protocol: "X-EdgeIM-Protocol",
} as const;
