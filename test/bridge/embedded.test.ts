// Embedded mode: no RabbitMQ, no Redis. One node routes in-process behind the same
// seams, says so in its log, and pushes what the Worker hands it. Runs without services.
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { ServerEvent } from "../../protocol/index.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import { signCall } from "../../server-auth/signing.js";
import { startBridgeNode, type BridgeNode } from "../../node-bridge/node.js";
import { connectCore, settle } from "../e2e/support/clients.js";
import { nodeConfig } from "../e2e/support/nodes.js";

describe("embedded single-node mode", () => {
  const logs: string[] = [];
  let node: BridgeNode;
  // No Worker either: the users below exist only in their tokens, which the Worker would
  // refuse (no live session). With the Worker unreachable the node accepts verified tokens.
  const config = nodeConfig("embedded", { rabbitmqUrl: undefined, redisUrl: undefined, workerUrl: "http://127.0.0.1:9" });
  afterAll(() => node?.stop());

  const token = (userId: string, deviceId: string) =>
    signAccessToken(config.authSecret, { userId, deviceId, sessionId: randomUUID() }, 600);

  async function deliver(body: object): Promise<Response> {
    const text = JSON.stringify(body);
    return fetch(`${node.internalUrl}/internal/deliver`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(await signCall(config.bridgeSecret, { direction: "worker->bridge", method: "POST", path: "/internal/deliver", body: text })) },
      body: text,
    });
  }

  it("starts without RABBITMQ_URL/REDIS_URL and logs that it routes in-process", async () => {
    const sink = new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) });
    node = await startBridgeNode(config, pino({ level: "info" }, sink));
    expect(node.mode).toBe("embedded");
    expect(logs.join("")).toMatch(/embedded mode: .*single node with in-process routing/);
  });

  it("routes a delivery to every local device of the recipients, except the sending device", async () => {
    const [u1, u2] = [randomUUID(), randomUUID()];
    const phone = await connectCore(node.socketUrl, await token(u1, "phone"));
    const laptop = await connectCore(node.socketUrl, await token(u1, "laptop"));
    const other = await connectCore(node.socketUrl, await token(u2, "phone"));
    const event: ServerEvent = { type: "typing", conversationId: `g:${randomUUID()}`, userId: u1 };

    const answer = await deliver({ event, userIds: [u1, u2, randomUUID()], exceptDevice: { userId: u1, deviceId: "phone" } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ ok: true, nodes: [config.nodeId] });
    await laptop.waitFor((e) => e.type === "typing");
    await other.waitFor((e) => e.type === "typing");
    await settle(200);
    expect([phone.events.length, laptop.events.length, other.events.length]).toEqual([0, 1, 1]);
    expect(node.stats.toJSON().publishedByNode).toEqual({ [config.nodeId]: 1 });
    expect(await node.routes.onlineCount()).toBe(2);
    for (const client of [phone, laptop, other]) client.close();
  });
});
