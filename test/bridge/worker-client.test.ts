// The bridge's calls to the Worker over node:http (edge-link/worker-client.ts), against a
// small HTTP server standing in for it: the user's token on API calls, signed internal
// calls that verify, Retry-After passed on, a timeout that gives up, keep-alive reuse.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WorkerClient } from "../../node-bridge/edge-link/worker-client.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignedCall } from "../../server-auth/signing.js";

const secret = "test-secret-0123456789abcdef0123456789abcdef";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  remotePort: number;
}

async function fakeWorker(answer: (seen: Seen) => { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }) {
  const seen: Seen[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const call = { method: request.method!, url: request.url!, headers: request.headers, body, remotePort: request.socket.remotePort! };
      seen.push(call);
      const { status, body: text = "", headers = {}, delayMs = 0 } = answer(call);
      setTimeout(() => response.writeHead(status, { "Content-Type": "application/json", ...headers }).end(text), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = () => {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    return closed;
  };
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close };
}

describe("worker client", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("calls the API as the user, parses the answer, passes Retry-After on, and reuses its connection", async () => {
    const worker = await fakeWorker(({ url }) =>
      url === "/api/messages" ? { status: 429, body: '{"error":{"code":"rate_limited","message":"slow down"}}', headers: { "Retry-After": "7" } } : { status: 200, body: '{"me":true}' },
    );
    cleanups.push(worker.close);
    const client = new WorkerClient(worker.url, secret);
    expect(await client.callApi("tok-1", "GET", "/api/me")).toEqual({ status: 200, body: { me: true } });
    const limited = await client.callApi("tok-1", "POST", "/api/messages", { text: "héllo" });
    expect(limited).toEqual({ status: 429, body: { error: { code: "rate_limited", message: "slow down" } }, retryAfter: 7 });
    const [me, send] = worker.seen;
    expect(me!.headers.authorization).toBe("Bearer tok-1");
    expect(send!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(send!.body)).toEqual({ text: "héllo" });
    expect(send!.remotePort).toBe(me!.remotePort);
    expect(client.lastAnsweredAt).toBeGreaterThan(0);
  });

  it("signs internal calls so that the Worker's verifier accepts them, and rejects a non-2xx answer", async () => {
    let status = 200;
    const worker = await fakeWorker(() => ({ status, body: '{"ok":true,"lapsed":true}' }));
    cleanups.push(worker.close);
    const client = new WorkerClient(worker.url, secret);
    expect(await client.renewPresenceLease("n1")).toEqual({ ok: true, lapsed: true });
    const [call] = worker.seen;
    const verified = await verifySignedCall(
      secret,
      { direction: "bridge->worker", method: "POST", path: "/internal/presence", body: call!.body },
      call!.headers[TIMESTAMP_HEADER.toLowerCase()] as string,
      call!.headers[SIGNATURE_HEADER.toLowerCase()] as string,
    );
    expect(verified).toBe(true);
    // Two identical reports in a row still sign apart (a receiver refuses a replayed signature).
    await client.reportPresence({ gateway: "n1", userId: "u1", online: true });
    await client.reportPresence({ gateway: "n1", userId: "u1", online: true });
    const [, first, second] = worker.seen;
    expect(first!.headers[SIGNATURE_HEADER.toLowerCase()]).not.toBe(second!.headers[SIGNATURE_HEADER.toLowerCase()]);
    status = 503;
    await expect(client.reportPresence({ gateway: "n1", gone: true })).rejects.toThrow("answered 503");
  });

  it("gives up on a Worker that does not answer in time, and on one that is down", async () => {
    const worker = await fakeWorker(() => ({ status: 200, delayMs: 2_000 }));
    cleanups.push(worker.close);
    const started = Date.now();
    expect(await new WorkerClient(worker.url, secret).probe(200)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_500);
    await expect(new WorkerClient("http://127.0.0.1:9", secret).callApi("t", "GET", "/api/me")).rejects.toThrow();
  });
});
