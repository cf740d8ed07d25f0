// No single point of failure between the Worker and the core. The Worker knows two bridge
// nodes (BRIDGE_URLS): when the node a conversation's pushes enter by (its hash's node,
// worker/bridge-link/bridge-client.ts) is killed outright, the next push to a core device
// goes through the other at once. When every node is unreachable a message is stored
// but its push is not recorded (messages.pushed_at NULL); a retry of the send with the
// same clientMsgId, once a node is back, pushes it, and a retry after that does not.
// Runs its own Worker, whose BRIDGE_URLS name two ports its own nodes take.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { directConversationId } from "../../protocol/index.js";
import { startLocalWorker, type LocalWorker } from "../../scripts/local-worker.js";
import { stableHash } from "../../worker/stable-hash.js";
import { befriend, registerUser, sendText, type TestUser } from "./support/api.js";
import { connectCore, settle, type DeviceClient } from "./support/clients.js";
import { NodePool, spawnNode, type ChildNode } from "./support/nodes.js";
import { deadPort } from "./support/ports.js";

/** The Worker's per-node attempt timeout (worker/bridge-link/bridge-client.ts, ATTEMPT_TIMEOUT_MS). */
const ATTEMPT_TIMEOUT_MS = 2_000;

describe.skipIf(inject("servicesMissing"))("several bridge nodes: failover and pushes owed", () => {
  const pool = new NodePool();
  let worker: LocalWorker;
  let firstPort: number;
  let secondPort: number;
  let first: ChildNode | undefined;
  let sender: TestUser;
  let receiver: TestUser;
  let receiverOnCore: DeviceClient;

  beforeAll(async () => {
    [firstPort, secondPort] = [await deadPort(), await deadPort()];
    worker = await startLocalWorker({
      AUTH_SECRET: inject("authSecret"),
      BRIDGE_SECRET: inject("bridgeSecret"),
      BRIDGE_URL: "",
      BRIDGE_URLS: `http://127.0.0.1:${firstPort}, http://127.0.0.1:${secondPort}/`,
      LIMIT_REGISTRATIONS: "1000/60",
    });
    // The receiver's device sits on a node the Worker does not call: every push to it goes
    // through whichever listed node takes the Worker's call, then RabbitMQ.
    const home = await pool.start("fo-home", { workerUrl: worker.url });
    const register = (prefix: string) => registerUser(prefix, { baseUrl: worker.url });
    [sender, receiver] = [await register("fo_a"), await register("fo_b")];
    await befriend(sender, receiver);
    receiverOnCore = await connectCore(home.socketUrl, receiver.token);
  });
  afterAll(async () => {
    receiverOnCore?.close();
    await first?.kill();
    await pool.stopAll();
    await worker?.dispose();
  });

  it("the conversation's entry node killed: the next push reaches the core device through the other, within the bound", async () => {
    // The pushes of this conversation enter by the node its id hashes to: that one is killed.
    const entry = stableHash(directConversationId(sender.id, receiver.id)) % 2;
    const [entryPort, otherPort] = entry === 0 ? [firstPort, secondPort] : [secondPort, firstPort];
    first = await spawnNode("fo-entry", { WORKER_URL: worker.url, INTERNAL_PORT: String(entryPort) });
    await pool.start("fo-other", { workerUrl: worker.url, internalPort: otherPort });

    const before = await sendText(sender, { userId: receiver.id }, "both nodes up");
    await receiverOnCore.waitForMessage(before.id);

    await first.kill();
    for (const text of ["entry node dead", "still dead"]) {
      const sentAt = Date.now();
      const message = await sendText(sender, { userId: receiver.id }, text);
      await receiverOnCore.waitForMessage(message.id);
      // A dead node costs at most one attempt's timeout (here a refused connection).
      expect(Date.now() - sentAt).toBeLessThan(ATTEMPT_TIMEOUT_MS + 1_500);
    }
  });

  it("a message stored while no node answers is pushed by a retry once a node is back, and only then", async () => {
    await pool.stopAll(); // the other node (and the receiver's home) go away...
    const home = await pool.start("fo-home2", { workerUrl: worker.url });
    receiverOnCore.close();
    receiverOnCore = await connectCore(home.socketUrl, receiver.token);

    // ...so both listed addresses refuse: stored and answered, pushed to no core device.
    const clientMsgId = `owed-${Date.now()}`;
    const send = () => sender.api.messages.send({ to: { userId: receiver.id }, clientMsgId, kind: "text", body: { text: "owed" } });
    const stored = await send();
    await settle(1_000); // no copy within 1 s: nothing took the push
    expect(receiverOnCore.copiesOf(stored.id)).toBe(0);

    // A node takes the second address again; the client retries (same clientMsgId): the
    // Worker answers the stored message and pushes it, since its push was never recorded.
    await pool.start("fo-revived", { workerUrl: worker.url, internalPort: secondPort });
    expect((await send()).id).toBe(stored.id);
    await receiverOnCore.waitForMessage(stored.id);

    // Now the push is recorded: a further retry answers without pushing again. The Worker
    // records it after answering (in the background), which no client can see: allow 500 ms.
    await settle(500);
    expect((await send()).id).toBe(stored.id);
    await settle(1_000); // no second copy within 1 s
    expect(receiverOnCore.copiesOf(stored.id)).toBe(1);
  });
});
