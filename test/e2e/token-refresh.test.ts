// A Socket.IO socket outlives its handshake token: when the token expires, the client
// refreshes over HTTP and hands the new token to the node (`token.refresh`), and its
// sends work again without reconnecting.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AckFrame, ErrorFrame } from "../../protocol/index.js";
import { signAccessToken } from "../../server-auth/access-token.js";
import type { BridgeNode } from "../../node-bridge/node.js";
import { befriend, loginDevice, registerUser } from "./support/api.js";
import { connectCore, settle, type DeviceClient } from "./support/clients.js";
import { NodePool } from "./support/nodes.js";
import { sessionIdOf } from "./support/tokens.js";

describe.skipIf(inject("servicesMissing"))("token refresh on a Socket.IO socket", () => {
  const pool = new NodePool();
  let node: BridgeNode;
  let client: DeviceClient | undefined;

  beforeAll(async () => {
    node = await pool.start("refresh");
  });
  afterAll(async () => {
    client?.close();
    await pool.stopAll();
  });

  it("an expired handshake token stops sends until a fresh one is handed over", async () => {
    const [ann, ben] = [await registerUser("ann"), await registerUser("ben")];
    await befriend(ann, ben);
    // A token that expires 2 s from now, for Ann's device d1.
    // Ann's own session: a token of a session that is not live gets no `ready`.
    const shortLived = await signAccessToken(inject("authSecret"), { userId: ann.id, deviceId: "d1", sessionId: sessionIdOf(ann.token) }, 2);
    client = await connectCore(node.socketUrl, shortLived);
    const send = () => client!.sendMessage({ to: { userId: ben.id }, clientMsgId: randomUUID(), kind: "text", body: { text: "hi" } });

    expect(((await send()) as AckFrame).type).toBe("message.ack");
    await settle(2_200);
    expect(await send()).toMatchObject({ type: "error", code: "token_expired" } satisfies Partial<ErrorFrame>);

    // Another user's token, or another device's, is refused: the socket stays Ann's d1.
    await expect(client.handOverToken(ben.token)).rejects.toMatchObject({ code: "forbidden" });
    const otherDevice = await loginDevice(ann, "d2");
    await expect(client.handOverToken(otherDevice)).rejects.toMatchObject({ code: "forbidden" });
    await expect(client.handOverToken("garbage")).rejects.toMatchObject({ code: "unauthorized" });

    await client.handOverToken(ann.token); // resolves on `token.refreshed`
    const ack = (await send()) as AckFrame;
    expect(ack.type).toBe("message.ack");
    expect(ack.message.senderId).toBe(ann.id);
  });
});
