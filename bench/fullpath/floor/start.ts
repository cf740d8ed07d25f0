// Starts the floor Worker (worker.js, wrangler.floor.toml) the way scripts/local-worker.ts
// starts the real one (wrangler's unstable_DevEnv, no inspector, persist in tmpfs, the
// Worker's own socket from reloadComplete rather than wrangler's dev proxy), and the bridge
// stand-in: a Node HTTP server in this process that reads each body and answers 200.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_DevEnv } from "wrangler";
import { QUIET_WRANGLER } from "../../../scripts/local-worker.js";
import { descendantsOf, pidsNamed } from "../../proc.js";
import { stateParent } from "../stack.js";

const configPath = fileURLToPath(new URL("./wrangler.floor.toml", import.meta.url));

export interface FloorWorker {
  /** The Worker's own socket (no dev proxy), as the full path's clients use. */
  directUrl: string;
  storage: string;
  /** The workerd processes started for it (looked up at each reading: the runtime's comes late). */
  workerdPids(): number[];
  dispose(): Promise<void>;
}

export async function startFloorWorker(bridgeUrl: string): Promise<FloorWorker> {
  Object.assign(process.env, QUIET_WRANGLER);
  const workerdBefore = new Set(pidsNamed("workerd"));
  const { dir, storage } = stateParent();
  const persist = await mkdtemp(join(dir, "edge-im-floor-"));
  const devEnv = new unstable_DevEnv();
  let directUrl = "";
  const reloaded = new Promise<void>((resolve) =>
    devEnv.on("reloadComplete", (event: { proxyData: { userWorkerUrl: Partial<URL> } }) => {
      directUrl = Object.assign(new URL("http://127.0.0.1"), event.proxyData.userWorkerUrl).toString().replace(/\/+$/, "");
      resolve();
    }),
  );
  const worker = await devEnv.startWorker({
    config: configPath,
    bindings: { BRIDGE_URL: { type: "plain_text", value: bridgeUrl } },
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist, watch: false },
  });
  const dispose = async () => {
    await worker.dispose();
    await rm(persist, { recursive: true, force: true });
  };
  try {
    await worker.ready;
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("floor Worker: no reloadComplete (its own address) within 30 s")), 30_000);
    });
    await Promise.race([reloaded, silent]).finally(() => clearTimeout(timer));
    // The tables, once, before any timed request (no per-request "is it migrated" check).
    const setup = await fetch(`${directUrl}/setup`, { method: "POST" });
    if (!setup.ok) throw new Error(`floor Worker: POST /setup answered ${setup.status}: ${await setup.text()}`);
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    directUrl,
    storage,
    workerdPids: () => {
      const ours = new Set(descendantsOf(process.pid));
      return pidsNamed("workerd").filter((pid) => ours.has(pid) && !workerdBefore.has(pid));
    },
    dispose,
  };
}

export interface BridgeStandIn {
  url: string;
  /** POSTs answered so far. */
  calls(): number;
  close(): Promise<void>;
}

/** The bridge node's stand-in for hop 4: reads the whole body, answers 200, nothing more. */
export async function startBridgeStandIn(): Promise<BridgeStandIn> {
  let calls = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      calls++;
      response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/internal/deliver`,
    calls: () => calls,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
