// A Worker of its own linked to one real bridge node through a recording proxy
// (recording-proxy.ts), with a receiver online on the node and senders who are its friends:
// the stage of the bridge-link tests, which look at the calls the Worker makes.
import { inject } from "vitest";
import type { BridgeConfig } from "../../../node-bridge/config.js";
import type { BridgeNode } from "../../../node-bridge/node.js";
import { startLocalWorker, type LocalWorker, type WorkerVars } from "../../../scripts/local-worker.js";
import { befriend, registerUser, type TestUser } from "./api.js";
import { connectCore, type DeviceClient } from "./clients.js";
import { NodePool } from "./nodes.js";
import { RecordingProxy } from "./recording-proxy.js";

export interface ProxiedCore {
  proxy: RecordingProxy;
  worker: LocalWorker;
  node: BridgeNode;
  senders: TestUser[];
  receiver: TestUser;
  receiverOnCore: DeviceClient;
  stop(): Promise<void>;
}

/** `vars`: the Worker's link settings and any others; `nodeOverrides`: the node's config (its Worker URL is set here). */
export async function startProxiedCore(options: {
  name: string;
  senders: number;
  vars?: Partial<WorkerVars>;
  nodeOverrides?: Partial<BridgeConfig>;
}): Promise<ProxiedCore> {
  const pool = new NodePool();
  const proxy = new RecordingProxy(inject("bridgeSecret"));
  const proxyUrl = await proxy.start();
  const worker = await startLocalWorker({
    AUTH_SECRET: inject("authSecret"),
    BRIDGE_SECRET: inject("bridgeSecret"),
    BRIDGE_URL: "",
    BRIDGE_URLS: proxyUrl,
    LIMIT_REGISTRATIONS: "1000/60",
    LIMIT_MESSAGES: "1000/10",
    ...options.vars,
  });
  const node = await pool.start(options.name, { ...options.nodeOverrides, workerUrl: worker.url });
  proxy.target = node.internalUrl;
  const register = (prefix: string) => registerUser(prefix, { baseUrl: worker.url });
  const receiver = await register(`${options.name}_r`);
  const senders: TestUser[] = [];
  for (let i = 0; i < options.senders; i++) {
    const sender = await register(`${options.name}_s${i}`);
    await befriend(sender, receiver);
    senders.push(sender);
  }
  const receiverOnCore = await connectCore(node.socketUrl, receiver.token);
  const stop = async () => {
    receiverOnCore.close();
    await pool.stopAll();
    await worker.dispose();
    await proxy.stop();
  };
  return { proxy, worker, node, senders, receiver, receiverOnCore, stop };
}
