// Sessions that end reach every gateway: logout, a newer login on the device and ending a
// device from another one close that session's Socket.IO sockets (a `session.ended` event,
// then a disconnect) on whichever node holds them, within a second; an ended session's token
// gets no `ready`; the SDK's ChatClient then signs out on both transports, without reconnecting.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ChatClient, EdgeImApi, MemoryTokenStore } from "../../client/index.js";
import type { BridgeNode } from "../../node-bridge/node.js";
import { loginDevice, registerUser } from "./support/api.js";
import { connectCore, connectEdge, eventually, settle } from "./support/clients.js";
import { NodePool } from "./support/nodes.js";

const within = <T>(promise: Promise<T>, ms: number, label: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${label}: not within ${ms} ms`)), ms))]);

describe.skipIf(inject("servicesMissing"))("sessions that end, on Socket.IO nodes and the SDK", () => {
  const pool = new NodePool();
  let a: BridgeNode, b: BridgeNode;
  const open: Array<{ close(): void }> = [];

  beforeAll(async () => {
    [a, b] = [await pool.start("end-a"), await pool.start("end-b")];
  });
  afterAll(async () => {
    for (const client of open.splice(0)) client.close();
    await pool.stopAll();
  });

  it("logout closes the device's Socket.IO socket within a second, and its token gets no ready again", async () => {
    const ann = await registerUser("ann");
    const token = ann.token;
    const socket = await connectCore(a.socketUrl, token);
    open.push(socket);
    const bystander = await connectCore(b.socketUrl, await loginDevice(ann, "d2"));
    open.push(bystander);

    await ann.api.auth.logout();
    const ended = await within(socket.closed, 1_000, "socket closed");
    expect(ended).toEqual({ reason: "ended" });
    // The other device, on another node, is untouched.
    await settle(200); // nothing for the bystander within 200 ms
    expect(bystander.events.filter((e) => e.type === "session.ended")).toEqual([]);

    await expect(connectCore(b.socketUrl, token)).rejects.toMatchObject({ reason: "auth", code: "unauthorized" });
    const me = await fetch(`${inject("workerUrl")}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
  });

  it("a newer login on the device closes the old session's socket, not the new session's", async () => {
    const ben = await registerUser("ben");
    const old = await connectCore(a.socketUrl, ben.token);
    open.push(old);
    const device = new EdgeImApi({ baseUrl: inject("workerUrl"), deviceId: ben.deviceId, tokens: new MemoryTokenStore() });
    const fresh = await device.auth.login({ username: ben.username, password: ben.password });
    expect(await within(old.closed, 1_000, "old socket closed")).toEqual({ reason: "ended" });
    const again = await connectCore(a.socketUrl, fresh.accessToken);
    open.push(again);
    await settle(300); // the new session's socket: no session.ended within 300 ms
    expect(again.events).toEqual([]);
  });

  it.each(["edge", "socket.io"] as const)("%s: a session ended from another device signs the ChatClient out, no reconnect", async (kind) => {
    const cat = await registerUser("cat");
    const client = new ChatClient({
      api: cat.api,
      transport: kind === "edge" ? { kind } : { kind, url: a.socketUrl },
      backoff: { baseMs: 50, capMs: 400 },
      heartbeatMs: 0,
    });
    open.push(client);
    const statuses: string[] = [];
    client.on("status", (status) => statuses.push(status));
    await client.connect();

    const laptop = new EdgeImApi({ baseUrl: inject("workerUrl"), deviceId: "laptop" });
    await laptop.auth.login({ username: cat.username, password: cat.password });
    const listed = await laptop.me.sessions();
    expect(listed.map((s) => [s.deviceId, s.current]).sort()).toEqual([
      [cat.deviceId, false],
      ["laptop", true],
    ]);
    await laptop.me.endSession(cat.deviceId);

    await eventually(async () => client.status === "closed", "the ChatClient closed");
    expect(cat.api.isSignedIn()).toBe(false);
    await settle(500); // no reconnect attempt within 500 ms (backoff here starts far below that)
    expect(statuses.slice(-1)).toEqual(["closed"]);
    expect(statuses.filter((s) => s === "connecting")).toHaveLength(1);
    expect((await laptop.me.sessions()).map((s) => s.deviceId)).toEqual(["laptop"]);
  });

  it("reusing a rotated refresh token ends the session: its Socket.IO socket closes too", async () => {
    const eve = await registerUser("eve");
    const stolen = eve.tokens.load()!.refreshToken;
    await eve.api.auth.refresh(); // the owner rotates; the copy is now a rotated token
    const socket = await connectCore(b.socketUrl, eve.token);
    open.push(socket);
    // Past REFRESH_REUSE_GRACE_SECONDS (1 s in these tests): a reuse now is a stolen copy, not a race.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const thief = await fetch(`${inject("workerUrl")}/api/auth/refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refreshToken: stolen }),
    });
    expect(thief.status).toBe(401);
    expect(await within(socket.closed, 1_000, "socket closed")).toEqual({ reason: "ended" });
    await expect(eve.api.me.get()).rejects.toMatchObject({ status: 401 });
  });

  it("an edge socket of an ended session is closed with 4003", async () => {
    const dan = await registerUser("dan");
    const edge = await connectEdge(dan.token);
    open.push(edge);
    await dan.api.auth.logout();
    expect(await within(edge.closed, 1_000, "edge socket closed")).toEqual({ reason: "ended" });
  });
});
