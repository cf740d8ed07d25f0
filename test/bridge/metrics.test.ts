// GET /metrics on a node's internal port (Prometheus, per-node registry): after a handshake
// refusal, an accepted handshake and a delivery, the counters moved and the histograms
// observed. The delivery's X-Request-Id travels into the envelope and the node's log lines;
// in a batch, each delivery's own traceId (a bridge link's call carries many requests' pushes).
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { ServerEvent } from "../../protocol/index.js";
import { signCall } from "../../server-auth/signing.js";
import { startBridgeNode, type BridgeNode } from "../../node-bridge/node.js";
import { befriend, registerUser } from "../e2e/support/api.js";
import { connectCore, eventually, type DeviceClient } from "../e2e/support/clients.js";
import { nodeConfig } from "../e2e/support/nodes.js";
import { scrape, valueOf } from "./metrics-text.js";

/** A node whose log lines (JSON, debug level) the test can read. */
async function nodeWithLog(name: string): Promise<{ node: BridgeNode; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = nodeConfig(name, inject("servicesMissing") ? { rabbitmqUrl: undefined, redisUrl: undefined } : {});
  const node = await startBridgeNode(config, pino({ level: "debug", base: { nodeId: config.nodeId } }, sink));
  return { node, lines };
}

async function deliver(node: BridgeNode, userId: string, event: ServerEvent, traceId: string): Promise<Response> {
  const path = "/internal/deliver";
  const body = JSON.stringify({ event, userIds: [userId, randomUUID()] });
  const signature = await signCall(inject("bridgeSecret"), { direction: "worker->bridge", method: "POST", path, body });
  return fetch(`${node.internalUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Request-Id": traceId, ...signature },
    body,
  });
}

describe("bridge metrics (GET /metrics)", () => {
  const nodes: BridgeNode[] = [];
  const devices: DeviceClient[] = [];
  afterAll(async () => {
    for (const device of devices) device.close();
    await Promise.allSettled(nodes.map((node) => node.stop()));
  });

  it("counts handshakes and refusals, deliveries per target, pushes, and times the look-up, the confirm and Worker calls", async () => {
    const { node, lines } = await nodeWithLog("metrics");
    nodes.push(node);
    const before = await scrape(node.internalUrl);
    expect(valueOf(before, "edge_im_bridge_sockets")).toBe(0);
    // Per-node registry with the process's default metrics, event-loop lag included.
    expect(before.some((s) => s.name === "nodejs_eventloop_lag_seconds" && s.labels.node === node.nodeId)).toBe(true);

    // A refused handshake (bad token), then an accepted one.
    const refused = await connectCore(node.socketUrl, "not-a-token").catch((error: unknown) => error);
    expect(refused).toMatchObject({ reason: "auth" });
    const alice = await registerUser("metrics");
    const device = await connectCore(node.socketUrl, alice.token);
    devices.push(device);

    // A delivery from the Worker to Alice (and to an offline user).
    const event: ServerEvent = { type: "typing", conversationId: `g:${randomUUID()}`, userId: randomUUID() };
    const traceId = `trace-${randomUUID().slice(0, 8)}`;
    const answer = await deliver(node, alice.id, event, traceId);
    expect(answer.status).toBe(200);
    await device.waitFor((e) => e.type === "typing" && e.conversationId === event.conversationId, "the delivered push");

    const after = await scrape(node.internalUrl);
    const moved = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(valueOf(after, "edge_im_bridge_sockets")).toBe(1);
    expect(moved("edge_im_bridge_handshakes_total", { outcome: "refused" })).toBe(1);
    expect(moved("edge_im_bridge_handshake_refusals_total", { reason: "unauthorized" })).toBe(1);
    expect(moved("edge_im_bridge_handshakes_total", { outcome: "accepted" })).toBe(1);
    expect(moved("edge_im_bridge_envelopes_published_total", { target: node.nodeId })).toBe(1);
    expect(moved("edge_im_bridge_envelopes_consumed_total", { target: node.nodeId })).toBe(1);
    expect(moved("edge_im_bridge_socket_pushes_total")).toBe(1);
    expect(moved("edge_im_bridge_recipients_unrouted_total")).toBe(1); // the offline user
    expect(moved("edge_im_bridge_route_lookup_seconds_count")).toBe(1);
    expect(moved("edge_im_bridge_publish_confirm_seconds_count")).toBe(1);
    // The handshake's session check called the Worker as Alice.
    expect(moved("edge_im_bridge_worker_call_seconds_count", { path: "/api/me", outcome: "2xx" })).toBeGreaterThanOrEqual(1);
    expect(moved("edge_im_bridge_worker_call_errors_total")).toBe(0);

    // The JSON stats still answer, fed by the same counts.
    const stats = (await (await fetch(`${node.internalUrl}/internal/stats`)).json()) as { publishedByNode: Record<string, number>; socketPushes: number };
    expect(stats.publishedByNode[node.nodeId]).toBe(1);
    expect(stats.socketPushes).toBe(1);

    // The request id reached the node's log lines for this delivery, on both ends of the broker.
    await eventually(async () => lines.some((l) => l.msg === "pushing to local sockets" && l.traceId === traceId), "the push's log line");
    expect(lines.some((l) => l.msg === "dispatched" && l.traceId === traceId)).toBe(true);
  });

  it.skipIf(inject("servicesMissing"))("carries an HTTP request's X-Request-Id from the Worker through the core into the node's log", async () => {
    const { node, lines } = await nodeWithLog("trace");
    nodes.push(node);
    const [sender, receiver] = [await registerUser("trace_from"), await registerUser("trace_to")];
    await befriend(sender, receiver);
    const device = await connectCore(node.socketUrl, receiver.token);
    devices.push(device);
    const requestId = `http-${randomUUID()}`;
    // The Worker calls the shared link node (BRIDGE_URL), which publishes to this node.
    const answer = await fetch(`${inject("workerUrl")}/api/messages`, {
      method: "POST",
      headers: { Authorization: `Bearer ${sender.token}`, "Content-Type": "application/json", "X-Request-Id": requestId },
      body: JSON.stringify({ to: { userId: receiver.id }, clientMsgId: "trace-1", kind: "text", body: { text: "traced" } }),
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get("X-Request-Id")).toBe(requestId);
    const { message } = (await answer.json()) as { message: { id: string } };
    await device.waitForMessage(message.id);
    await eventually(async () => lines.some((l) => l.msg === "pushing to local sockets" && l.traceId === requestId), "the push's log line with the request id");
  });

  it.skipIf(inject("servicesMissing"))("a batch's deliveries each carry their own request id into the push's log line; a malformed one falls back to the call's", async () => {
    const { node, lines } = await nodeWithLog("trace-batch");
    nodes.push(node);
    const users = [await registerUser("trace_a"), await registerUser("trace_b")];
    for (const user of users) devices.push(await connectCore(node.socketUrl, user.token));
    const [alice, bob] = users.map((u) => u.id) as [string, string];
    const [own, callId] = [`own-${randomUUID()}`, `call-${randomUUID()}`];
    const typing = (userId: string): ServerEvent => ({ type: "typing", conversationId: `g:${randomUUID()}`, userId });
    const path = "/internal/deliver";
    const body = JSON.stringify({
      deliveries: [
        { event: typing(bob), userIds: [alice], traceId: own },
        { event: typing(alice), userIds: [bob], traceId: "no spaces allowed" },
      ],
    });
    const signature = await signCall(inject("bridgeSecret"), { direction: "worker->bridge", method: "POST", path, body });
    const answer = await fetch(`${node.internalUrl}${path}`, { method: "POST", headers: { "Content-Type": "application/json", "X-Request-Id": callId, ...signature }, body });
    expect(answer.status).toBe(200);
    const pushed = (traceId: string) => lines.some((l) => l.msg === "pushing to local sockets" && l.traceId === traceId);
    await eventually(async () => pushed(own) && pushed(callId), "both pushes' log lines, each with its request id");
  });

  it("counts failed Worker calls by path and reason", async () => {
    // A Worker nobody answers at: readiness probes it (GET /api/health) and fails.
    const unreachable = await startBridgeNode(
      nodeConfig("metrics-unreachable", { workerUrl: "http://127.0.0.1:9", ...(inject("servicesMissing") ? { rabbitmqUrl: undefined, redisUrl: undefined } : {}) }),
      pino({ level: "silent" }),
    );
    nodes.push(unreachable);
    expect((await fetch(`${unreachable.internalUrl}/readyz`)).status).toBe(503);
    const samples = await scrape(unreachable.internalUrl);
    expect(valueOf(samples, "edge_im_bridge_worker_call_errors_total", { path: "/api/health", reason: "network" })).toBe(1);
    expect(valueOf(samples, "edge_im_bridge_worker_call_seconds_count", { path: "/api/health", outcome: "network_error" })).toBe(1);
  });
});
