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

describe("local sockets: devices and counts", () => {
  it("tells a device's first and last socket apart, counts by user and device, and ends one session", () => {
    const sockets = new LocalSockets();
    const userId = randomUUID();
    const withSession = (deviceId: string, sessionId: string) => {
      const fake = fakeSocket(userId, deviceId);
      const disconnected: boolean[] = [];
      Object.assign(fake.socket.data, { sessionId });
      Object.assign(fake.socket, { disconnect: () => (disconnected.push(true), sockets.remove(fake.socket)) });
      return { ...fake, disconnected };
    };
    const oldPhone = withSession("phone", "s1");
    const newPhone = withSession("phone", "s2");
    const laptop = withSession("laptop", "s3");
    expect(sockets.add(oldPhone.socket)).toBe(true);
    expect(sockets.add(newPhone.socket)).toBe(false);
    expect(sockets.add(laptop.socket)).toBe(true);
    expect([sockets.size, sockets.countOf(userId), sockets.countOf(userId, "phone"), sockets.countOf(userId, "tablet")]).toEqual([3, 3, 2, 0]);
    expect(sockets.devices().map((d) => d.deviceId).sort()).toEqual(["laptop", "phone"]);

    const ended = { type: "session.ended", deviceId: "phone", sessionId: "s1", reason: "logout" } as const;
    expect(sockets.endSession(ended, userId)).toBe(1);
    expect([oldPhone.disconnected.length, newPhone.disconnected.length]).toEqual([1, 0]);
    expect(oldPhone.emitted).toEqual([ended]);
    expect(sockets.countOf(userId, "phone")).toBe(1);

    expect(sockets.remove(newPhone.socket)).toBe(true);
    expect(sockets.remove(newPhone.socket)).toBe(false);
    expect(sockets.hasUser(userId)).toBe(true);
    expect(sockets.remove(laptop.socket)).toBe(true);
    expect([sockets.hasUser(userId), sockets.size, sockets.users()]).toEqual([false, 0, []]);
  });
});
