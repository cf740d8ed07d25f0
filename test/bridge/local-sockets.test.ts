// Pushing an envelope to this node's sockets: once per socket, whatever the envelope lists.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LocalSockets, type GatewaySocket } from "../../node-bridge/gateway/local-sockets.js";
import type { Envelope } from "../../protocol/index.js";

/** Just what LocalSockets touches: the identity and emit. */
function fakeSocket(userId: string, deviceId: string) {
  const emitted: unknown[] = [];
  const socket = { data: { userId, deviceId, sessionId: "s", accessToken: "t" }, emit: (_name: string, payload: unknown) => emitted.push(payload) };
  return { socket: socket as unknown as GatewaySocket, emitted };
}

describe("local sockets", () => {
  it("an envelope listing a recipient twice pushes once per socket", () => {
    const sockets = new LocalSockets();
    const [userId, other] = [randomUUID(), randomUUID()];
    const phone = fakeSocket(userId, "phone");
    const laptop = fakeSocket(userId, "laptop");
    const friend = fakeSocket(other, "d1");
    for (const s of [phone, laptop, friend]) sockets.add(s.socket);
    const envelope: Envelope = {
      v: 1,
      id: randomUUID(),
      origin: "java-node-7",
      recipients: [{ userId }, { userId, deviceIds: ["phone"] }, { userId: other }, { userId: other }],
      event: { type: "typing", conversationId: `g:${randomUUID()}`, userId: other },
    };
    expect(sockets.push(envelope)).toBe(3);
    expect([phone.emitted.length, laptop.emitted.length, friend.emitted.length]).toEqual([1, 1, 1]);

    // Still never the excluded device, however often its user is listed.
    expect(sockets.push({ ...envelope, exceptDevice: { userId, deviceId: "phone" } })).toBe(2);
    expect(phone.emitted.length).toBe(1);
  });
});
