// Ending sessions everywhere, after D1 has revoked them: the user's Durable Object drops
// them from its live set (so their access tokens stop passing requireAuth) and closes
// their edge sockets (4003), and the bridge closes their Socket.IO sockets on whichever
// node holds the device (POST /internal/session-ended, docs/PROTOCOL.md 7.6).
import type { SessionEndedRequest, SessionEndReason } from "../../protocol/index.js";
import { callBridge } from "../bridge-link/bridge-client.js";
import type { EndedSession } from "../db/sessions.js";
import type { Runtime } from "../messaging/runtime.js";
import { userHub } from "../user-hub/stub.js";
import { forgetSessions } from "./session-check.js";

export async function endSessions(runtime: Runtime, userId: string, ended: EndedSession[], reason: SessionEndReason): Promise<void> {
  if (ended.length === 0) return;
  // The object first: once it has dropped them, a socket the bridge closes cannot come back
  // with the same token (the node's handshake check asks the Worker, which asks the object).
  await userHub(runtime.env, userId).endSessions(userId, ended, reason);
  // After the object dropped them: a request of this isolate asking meanwhile cannot cache "live" again.
  forgetSessions(ended.map((s) => s.id));
  for (const session of ended) {
    const request: SessionEndedRequest = { userId, deviceId: session.deviceId, sessionId: session.id, reason };
    runtime.waitUntil(callBridge(runtime.env, "/internal/session-ended", request));
  }
}

/** A login opened this session: the user's object adds it to the live set. */
export async function sessionOpened(runtime: Runtime, userId: string, sessionId: string): Promise<void> {
  await userHub(runtime.env, userId).sessionOpened(userId, sessionId);
}
