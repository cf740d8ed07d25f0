// Starts the floor Worker (worker.js, wrangler.floor.toml) as scripts/local-worker.ts starts
// the real one (startDevWorker: wrangler's DevEnv, no inspector, persist in tmpfs here, the
// Worker's own socket from reloadComplete rather than wrangler's dev proxy), and the bridge
// stand-in: a Node HTTP server in this process that reads each body and answers 200.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDevWorker } from "../../../scripts/local-worker.js";
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
  const workerdBefore = new Set(pidsNamed("workerd"));
  const { dir, storage } = stateParent();
  const persist = await mkdtemp(join(dir, "edge-im-floor-"));
  let started: Awaited<ReturnType<typeof startDevWorker>>;
  try {
    started = await startDevWorker(configPath, { BRIDGE_URL: bridgeUrl }, persist);
  } catch (error) {
    await rm(persist, { recursive: true, force: true });
    throw error;
  }
  const { worker, directUrl } = started;
  const dispose = async () => {
    await worker.dispose();
    await rm(persist, { recursive: true, force: true });
  };
  // The tables, once, before any timed request (no per-request "is it migrated" check).
  const setup = await fetch(`${directUrl}/setup`, { method: "POST" }).catch((error: unknown) => error as Error);
  if (setup instanceof Error || !setup.ok) {
    await dispose();
    throw new Error(`floor Worker: POST /setup failed: ${setup instanceof Error ? setup.message : `${setup.status} ${await setup.text()}`}`);
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
