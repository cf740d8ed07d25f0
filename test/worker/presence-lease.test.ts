import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { CorePresenceRequest } from "../../protocol/index.js";
import { signCall } from "../../server-auth/signing.js";
import { call } from "./http.js";
import { befriend, registerUser } from "./messaging-fixtures.js";
import { connect, type TestSocket } from "./ws-client.js";

/** A core node's signed presence report, as the bridge sends it. */
async function report(request: CorePresenceRequest) {
  const body = JSON.stringify(request);
  const signature = await signCall(env.BRIDGE_SECRET!, { direction: "bridge->worker", method: "POST", path: "/internal/presence", body });
  return call("POST", "/internal/presence", { rawBody: body, headers: { "Content-Type": "application/json", ...signature } });
}

/** What the node's lease would look like once PRESENCE_LEASE_MS passed without a renewal. */
const letLeaseRunOut = (gateway: string) => env.DB.prepare("UPDATE gateway_leases SET expires_at = ? WHERE gateway = ?").bind(Date.now() - 1, gateway).run();

// A node that stops without its `gone` report (killed, or Ctrl-C of `npm start`, which stops
// the Worker with it) must not leave its users online to their friends for good: its rows
// count only while the lease it renews runs (docs/PROTOCOL.md 7.4).
describe("core presence lease", () => {
  const sockets: TestSocket[] = [];
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));

  it("a renewal says whether the lease had lapsed", async () => {
    const gateway = `lease-${crypto.randomUUID().slice(0, 8)}`;
    expect((await report({ gateway, lease: true })).body).toEqual({ ok: true, lapsed: true });
    expect((await report({ gateway, lease: true })).body).toEqual({ ok: true, lapsed: false });
    await letLeaseRunOut(gateway);
    expect((await report({ gateway, lease: true })).body).toEqual({ ok: true, lapsed: true });
    // `gone` ends the lease: a node restarted under this id starts with a lapsed one.
    await report({ gateway, gone: true });
    expect((await report({ gateway, lease: true })).body).toEqual({ ok: true, lapsed: true });
  });

  it("users of a node whose lease ran out are offline, and the next renewal by any node tells their friends", async () => {
    const [alice, bob] = [await registerUser("la"), await registerUser("lb")];
    await befriend(alice, bob);
    const bobWs = await connect(bob.token);
    sockets.push(bobWs);
    const aliceOnline = async () => (await call("GET", `/api/friends/${alice.user.id}`, { token: bob.token })).body.friend.user.online;
    const [silent, living] = [`silent-${crypto.randomUUID().slice(0, 8)}`, `living-${crypto.randomUUID().slice(0, 8)}`];

    // An `online` report takes a lease too: the node need not renew first.
    expect((await report({ gateway: silent, userId: alice.user.id, online: true })).status).toBe(200);
    expect(await bobWs.next("presence")).toEqual({ type: "presence", userId: alice.user.id, online: true });
    expect(await aliceOnline()).toBe(true);

    // The node stops without a word; once its lease runs out, Alice reads offline at once.
    await letLeaseRunOut(silent);
    expect(await aliceOnline()).toBe(false);

    // Another node's renewal sweeps the lapsed gateway: its rows go, Bob hears of it.
    expect((await report({ gateway: living, lease: true })).status).toBe(200);
    expect(await bobWs.next("presence")).toEqual({ type: "presence", userId: alice.user.id, online: false });
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM presence WHERE gateway = ?").bind(silent).first<{ n: number }>();
    expect(rows?.n).toBe(0);
    const lease = await env.DB.prepare("SELECT COUNT(*) AS n FROM gateway_leases WHERE gateway = ?").bind(silent).first<{ n: number }>();
    expect(lease?.n).toBe(0);

    // The silent node comes back: its renewal says lapsed, it reports Alice again, she is online.
    expect((await report({ gateway: silent, lease: true })).body).toEqual({ ok: true, lapsed: true });
    await report({ gateway: silent, userId: alice.user.id, online: true });
    expect((await bobWs.next("presence")).online).toBe(true);
    expect(await aliceOnline()).toBe(true);
  });
});
