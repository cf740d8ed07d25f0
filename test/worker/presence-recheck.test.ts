import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userHub } from "../../worker/user-hub/stub.js";
import { call } from "./http.js";
import { befriend, registerUser } from "./messaging-fixtures.js";
import { connect } from "./ws-client.js";

// A restart of a user's Durable Object (a deploy, an eviction) drops its sockets without
// close events. The presence alarm finds out and takes the user offline for their friends.
describe("edge presence re-check", () => {
  it("an online socket arms the alarm; an alarm that finds no socket records the user offline", async () => {
    const [alice, bob] = [await registerUser("ra"), await registerUser("rb")];
    await befriend(alice, bob);
    const bobWs = await connect(bob.token);
    const aliceOnline = async () => (await call("GET", `/api/friends/${alice.user.id}`, { token: bob.token })).body.friend.user.online;

    const aliceWs = await connect(alice.token);
    expect((await bobWs.next("presence")).online).toBe(true);
    const hub = userHub(env, alice.user.id);
    expect(await runInDurableObject(hub, (_instance, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now());

    // While the socket is open the alarm changes nothing, and re-arms itself.
    expect(await runDurableObjectAlarm(hub)).toBe(true);
    expect(await aliceOnline()).toBe(true);
    expect(await runInDurableObject(hub, (_instance, state) => state.storage.getAlarm())).not.toBeNull();

    // The state a restart leaves: recorded online in storage and in D1, no socket at all.
    aliceWs.close();
    expect((await bobWs.next("presence")).online).toBe(false);
    await runInDurableObject(hub, async (_instance, state) => {
      await state.storage.put("edge-online", true);
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    await env.DB.prepare("INSERT INTO presence (user_id, gateway, since) VALUES (?, 'edge', ?)").bind(alice.user.id, Date.now()).run();
    expect(await aliceOnline()).toBe(true);

    expect(await runDurableObjectAlarm(hub)).toBe(true);
    expect(await bobWs.next("presence")).toEqual({ type: "presence", userId: alice.user.id, online: false });
    expect(await aliceOnline()).toBe(false);
    expect(await runInDurableObject(hub, (_instance, state) => state.storage.getAlarm())).toBeNull();
    bobWs.close();
  });
});
