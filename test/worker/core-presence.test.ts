import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { CorePresenceRequest } from "../../protocol/index.js";
import { signCall } from "../../server-auth/signing.js";
import { call } from "./http.js";
import { befriend, registerUser } from "./messaging-fixtures.js";
import { connect, type TestSocket } from "./ws-client.js";

/** A core node's signed presence report, as the bridge sends it. */
async function report(request: CorePresenceRequest, secret = env.BRIDGE_SECRET!) {
  const body = JSON.stringify(request);
  return call("POST", "/internal/presence", { rawBody: body, headers: { "Content-Type": "application/json", ...(await signCall(secret, { direction: "bridge->worker", method: "POST", path: "/internal/presence", body })) } });
}

// Friends see Socket.IO users online like edge users: core nodes report their users to
// the Worker, and a user is online while any gateway (edge or node) holds a device.
describe("core presence", () => {
  const sockets: TestSocket[] = [];
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));

  it("a user on a core node is online to friends; a gone node takes them offline", async () => {
    const [alice, bob] = [await registerUser("pa"), await registerUser("pb")];
    await befriend(alice, bob);
    const bobWs = await connect(bob.token);
    sockets.push(bobWs);
    const aliceOnline = async () => (await call("GET", `/api/friends/${alice.user.id}`, { token: bob.token })).body.friend.user.online;

    expect((await report({ gateway: "node-a", userId: alice.user.id, online: true })).status).toBe(200);
    expect(await bobWs.next("presence")).toEqual({ type: "presence", userId: alice.user.id, online: true });
    expect(await aliceOnline()).toBe(true);

    // Alice also opens an edge socket, then node-a goes away: she stays online, no blink.
    const aliceWs = await connect(alice.token);
    sockets.push(aliceWs);
    expect((await report({ gateway: "node-a", gone: true })).status).toBe(200);
    expect(await aliceOnline()).toBe(true);
    aliceWs.close();
    expect(await bobWs.next("presence")).toEqual({ type: "presence", userId: alice.user.id, online: false });
    expect(await aliceOnline()).toBe(false);
    expect((await bobWs.leftover()).filter((f) => f.type === "presence")).toEqual([]);

    // Back on a node, then that node is swept as dead: offline again.
    await report({ gateway: "node-b", userId: alice.user.id, online: true });
    expect((await bobWs.next("presence")).online).toBe(true);
    const gone = await report({ gateway: "node-b", gone: true });
    expect(gone.body).toEqual({ ok: true, offline: 1 });
    expect((await bobWs.next("presence")).online).toBe(false);
  });

  it("refuses unsigned or forged reports, and reports for the reserved ids edge and worker", async () => {
    const alice = await registerUser("pc");
    const body = JSON.stringify({ gateway: "node-x", userId: alice.user.id, online: true });
    const unsigned = await call("POST", "/internal/presence", { rawBody: body });
    expect(unsigned.status).toBe(401);
    const forged = await report({ gateway: "node-x", userId: alice.user.id, online: true }, "not-the-bridge-secret-0123456789");
    expect(forged.status).toBe(401);
    const edge = await report({ gateway: "edge", userId: alice.user.id, online: true });
    expect(edge.status).toBe(403);
    // `worker` is the Worker's own origin: no node may report under it, online or gone.
    expect((await report({ gateway: "worker", userId: alice.user.id, online: true })).status).toBe(403);
    expect((await report({ gateway: "worker", gone: true })).status).toBe(403);
    const malformed = await report({ gateway: "node x!", gone: true } as CorePresenceRequest);
    expect(malformed.status).toBe(400);
    const unknownUser = await report({ gateway: "node-x", userId: "00000000-0000-4000-8000-000000000000", online: true });
    expect(unknownUser.status).toBe(404);
  });
});
