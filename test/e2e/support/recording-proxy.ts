// A recording proxy in front of a bridge node, for the Worker's calls: it passes every call
// on to the node and keeps what each /internal/deliver carried; for the fault cases it
// answers for the node as a node would (a 503 result for one delivery, re-signing what it
// passes on, or a refused connection). The node's answer goes back with its status and its
// X-Bridge-Busy header (the Worker reads it: worker/bridge-link/bridge-busy.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { expect } from "vitest";
import { BRIDGE_BUSY_HEADER, type DeliverRequest } from "../../../protocol/index.js";
import { signCall } from "../../../server-auth/signing.js";

/** What the proxy saw of one /internal/deliver call. */
export interface DeliverCall {
  deliveries: DeliverRequest[];
  batch: boolean;
}

export const textOf = (d: DeliverRequest) => (d.event.type === "message.new" && d.event.message.kind === "text" ? (d.event.message.body as { text: string }).text : undefined);
export const messageIdOf = (d: DeliverRequest) => (d.event.type === "message.new" ? d.event.message.id : undefined);

/** The proxy in front of the bridge node. `mode`: pass everything, fail the deliveries of text "fail-me", or refuse connections. */
export class RecordingProxy {
  readonly calls: DeliverCall[] = [];
  mode: "pass" | "fail-some" | "down" = "pass";
  target = "";
  private server: Server | undefined;

  constructor(private readonly secret: string) {}

  async start(): Promise<string> {
    // The node may be gone already (teardown): its absence is a 502, as a proxy answers.
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.headersSent || res.writeHead(502).end()));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = req.url ?? "/";
    if (path !== "/internal/deliver") return this.forward(res, path, body, req.headers);
    const json = JSON.parse(body) as { deliveries?: DeliverRequest[] } & DeliverRequest;
    const deliveries = json.deliveries ?? [json];
    this.calls.push({ deliveries, batch: json.deliveries !== undefined });
    if (this.mode === "down") return void res.socket?.destroy();
    const failed = deliveries.map((d) => this.mode === "fail-some" && textOf(d) === "fail-me");
    if (!failed.some(Boolean)) return this.forward(res, path, body, req.headers);
    // Pass on the others (a call of their own, signed afresh), answer for all as the node would.
    const kept = deliveries.filter((_, i) => !failed[i]);
    if (kept.length > 0) {
      const keptBody = JSON.stringify({ deliveries: kept });
      const signature = await signCall(this.secret, { direction: "worker->bridge", method: "POST", path, body: keptBody });
      const answer = await fetch(`${this.target}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...signature }, body: keptBody });
      expect(answer.status).toBe(200);
    }
    const results = failed.map((f) =>
      f
        ? { status: 503, ok: false, nodes: [], failedNodes: ["proxy"], error: { code: "unavailable", message: "publish failed for 1 node(s)" } }
        : { status: 200, ok: true, nodes: ["node"], failedNodes: [] },
    );
    res.writeHead(503, { "Content-Type": "application/json" }).end(JSON.stringify(json.deliveries ? { ok: false, results } : { error: results[0]!.error, nodes: [], failedNodes: ["proxy"] }));
  }

  private async forward(res: ServerResponse, path: string, body: string, headers: IncomingMessage["headers"]): Promise<void> {
    const pass: Record<string, string> = { "Content-Type": "application/json" };
    for (const name of ["x-edgeim-timestamp", "x-edgeim-signature"]) if (typeof headers[name] === "string") pass[name] = headers[name];
    const answer = await fetch(`${this.target}${path}`, { method: "POST", headers: pass, body });
    const busy = answer.headers.get(BRIDGE_BUSY_HEADER);
    res.writeHead(answer.status, { "Content-Type": "application/json", ...(busy ? { [BRIDGE_BUSY_HEADER]: busy } : {}) }).end(await answer.text());
  }

  /** The deliveries of message.new seen since `from` (a calls index), by message id. */
  messageIdsSince(from: number): string[] {
    return this.calls.slice(from).flatMap((c) => c.deliveries.map(messageIdOf).filter((id): id is string => id !== undefined));
  }
}
