// Socket.IO users are online to their friends like edge users: a node tells the Worker
// when a user's first socket arrives and their last one leaves, and a node that dies
// takes its users offline once it is swept.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BridgeNode } from "../../node-bridge/node.js";
import { befriend, registerUser } from "./support/api.js";
import { onlineAsSeenBy, presenceOf } from "./support/presence.js";
import { connectCore, connectEdge } from "./support/clients.js";
import { NodePool, spawnNode } from "./support/nodes.js";

const TTL_MS = 3_000;
const WAIT_MS = TTL_MS + 6_000;

describe.skipIf(inject("servicesMissing"))("presence of Socket.IO users", () => {
  const pool = new NodePool();
  let node: BridgeNode;

  beforeAll(async () => {
    node = await pool.start("presence", { nodeTtlMs: TTL_MS });
  });
  afterAll(() => pool.stopAll());


  it("connect and disconnect on a node show as online and offline to a friend at the edge", async () => {
    const [kim, lou] = [await registerUser("kim"), await registerUser("lou")];
    await befriend(kim, lou);
    const louAtEdge = await connectEdge(lou.token);
    try {
      const kimOnNode = await connectCore(node.socketUrl, kim.token);
      await presenceOf(louAtEdge, kim, true, 0, WAIT_MS);
      expect(await onlineAsSeenBy(lou, kim)).toBe(true);

      const mark = louAtEdge.events.length;
      kimOnNode.close();
      await presenceOf(louAtEdge, kim, false, mark, WAIT_MS);
      expect(await onlineAsSeenBy(lou, kim)).toBe(false);
    } finally {
      louAtEdge.close();
    }
  });

  it("a node killed without shutdown takes its users offline once it is swept", async () => {
    const [max, ned] = [await registerUser("max"), await registerUser("ned")];
    await befriend(max, ned);
    const nedAtEdge = await connectEdge(ned.token);
    const doomed = await spawnNode("doomed-presence", { NODE_TTL_MS: String(TTL_MS) });
    try {
      await connectCore(doomed.socketUrl, max.token);
      await presenceOf(nedAtEdge, max, true, 0, WAIT_MS);
      const mark = nedAtEdge.events.length;
      await doomed.kill();
      await presenceOf(nedAtEdge, max, false, mark, WAIT_MS);
      expect(await onlineAsSeenBy(ned, max)).toBe(false);
    } finally {
      nedAtEdge.close();
      await doomed.kill();
    }
  });
});
