// Storage is the truth: with the bridge unreachable, the Worker still stores and
// acknowledges a send, edge devices still get their push, and a core device that
// missed it recovers it by sync. Runs its own Worker whose BRIDGE_URL points nowhere.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
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

  async function api(method: string, path: string, token?: string, body?: unknown) {
    const response = await fetch(`${worker.url}${path}`, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as any };
  }
  const register = async (name: string) => {
    const answer = await api("POST", "/api/auth/register", undefined, { username: `${name}_${randomUUID().slice(0, 8)}`, password: "correct horse battery" });
    expect(answer.status).toBe(201);
    return { id: answer.body.user.id as string, token: answer.body.accessToken as string };
  };

  it("a send still succeeds, the edge still gets it, and sync returns it", async () => {
    const [sender, receiver] = [await register("down_a"), await register("down_b")];
    const request = await api("POST", "/api/friends/requests", sender.token, { userId: receiver.id });
    expect((await api("POST", `/api/friends/requests/${request.body.request.id}/accept`, receiver.token)).status).toBe(200);
    const edge = await connectEdge(receiver.token, worker.url);

    const sent = await api("POST", "/api/messages", sender.token, { to: { userId: receiver.id }, clientMsgId: randomUUID(), kind: "text", body: { text: "bridge is down" } });
    expect(sent.status).toBe(201);
    await edge.waitForMessage(sent.body.message.id);
    const synced = await api("GET", `/api/conversations/${encodeURIComponent(sent.body.message.conversationId)}/messages?afterSeq=0`, receiver.token);
    expect(synced.body.messages.map((m: { id: string }) => m.id)).toEqual([sent.body.message.id]);
    edge.close();
  });
});
