// Storage is the truth: with the bridge unreachable, the Worker still stores and
// acknowledges a send, edge devices still get their push, and a core device that
// missed it recovers it by sync. Runs its own Worker whose BRIDGE_URL points nowhere.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { befriend, registerUser, sendText, syncConversation } from "./support/api.js";
import { connectEdge } from "./support/clients.js";
import { startLocalWorker, type LocalWorker } from "../../scripts/local-worker.js";
import { deadPort } from "./support/ports.js";

describe("the bridge is down", () => {
  let worker: LocalWorker;
  beforeAll(async () => {
    worker = await startLocalWorker({
      AUTH_SECRET: inject("authSecret"),
      BRIDGE_SECRET: inject("bridgeSecret"),
      BRIDGE_URL: `http://127.0.0.1:${await deadPort()}`,
    });
  });
  afterAll(() => worker?.dispose());

  it("a send still succeeds, the edge still gets it, and sync returns it", async () => {
    const register = (prefix: string) => registerUser(prefix, { baseUrl: worker.url });
    const [sender, receiver] = [await register("down_a"), await register("down_b")];
    await befriend(sender, receiver);
    const edge = await connectEdge(receiver.token, worker.url);

    const sent = await sendText(sender, { userId: receiver.id }, "bridge is down");
    await edge.waitForMessage(sent.id);
    const synced = await syncConversation(receiver, sent.conversationId);
    expect(synced.map((m) => m.id)).toEqual([sent.id]);
    edge.close();
  });
});
