// The fault suite: the whole system under continuous traffic while faults hit it one after
// another, then a check that nothing acknowledged was lost, stored twice, reordered or left
// missing after a final sync, and how long pushes took to come back after each repair.
//
// Its own world, so it can break things: a private RabbitMQ and Redis (never the shared
// ones), its own Worker (BRIDGE_URLS = node A, node B; restartable on the same address and
// state) and two bridge nodes in child processes (SIGKILL), on fixed ports so clients and
// the Worker find them again after a restart. A group of six users: a sender and a receiver
// at the edge, on node A and on node B, each one SDK ChatClient (sends keep their
// clientMsgId across retries; sync fills what pushes missed). Figures: docs/OPERATIONS.md,
// "Fault suite".
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ChatClient } from "../../client/index.js";
import { groupConversationId, type Message } from "../../protocol/index.js";
import { startLocalWorker, type LocalWorker } from "../../scripts/local-worker.js";
import { createGroup, registerUser, syncConversation, type TestUser } from "./support/api.js";
import { spawnNode, type ChildNode } from "./support/nodes.js";
import { deadPort } from "./support/ports.js";
import { PrivateRabbit, PrivateRedis } from "./support/private-services.js";

/** Generous, for a loaded CI machine; the measured times are printed. */
const RECOVERY_BOUND_MS = 10_000;
/** Each sender's pause between one acknowledged send and the next. */
const SEND_EVERY_MS = 200;
/** Traffic flows this long with nothing broken, before the first fault and between faults. */
const STEADY_MS = 1_000;
/** How long a killed node stays dead. */
const NODE_DOWN_MS = 1_500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Gateway = "edge" | "A" | "B";

/** A bridge node in a child process on fixed ports, restarted under the same NODE_ID. */
class Node {
  private child: ChildNode | undefined;

  constructor(
    readonly name: Gateway,
    readonly nodeId: string,
    readonly port: number,
    readonly internalPort: number,
    private readonly env: Record<string, string>,
  ) {}

  get socketUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get internalUrl(): string {
    return `http://127.0.0.1:${this.internalPort}`;
  }

  /** Resolves when the node logged "bridge node ready". */
  async start(): Promise<void> {
    this.child = await spawnNode(`fs-${this.name}`, {
      ...this.env,
      NODE_ID: this.nodeId,
      PORT: String(this.port),
      INTERNAL_PORT: String(this.internalPort),
    });
  }

  /** SIGKILL: no shutdown, routes left behind. */
  async kill(): Promise<void> {
    await this.child?.kill();
  }
}

/** One group member: its ChatClient and what reached it. */
interface Member {
  label: string;
  gateway: Gateway;
  sender: boolean;
  user: TestUser;
  client: ChatClient;
  /** Every message.new push of the group, as it arrived (repeats included). */
  pushes: { id: string; at: number }[];
  /** The ChatClient's "message" events of the group, in the order the app saw them. */
  seen: Message[];
  /** Connections that said `ready` (the first one included): a reconnect adds one. */
  readies: number;
}

interface Acked {
  sender: string;
  index: number;
  message: Message;
}

interface Fault {
  name: string;
  /** Whose connections the fault must have cut (proof that it happened). */
  cuts: Gateway[];
  /** Breaks something and repairs it; resolves when repaired (a node ready, a port accepting, a Worker answering). */
  run(): Promise<void>;
}

describe.skipIf(inject("servicesMissing"))("fault suite: continuous traffic through a series of faults", () => {
  let redis: PrivateRedis | undefined;
  let rabbit: PrivateRabbit | undefined;
  let worker: LocalWorker | undefined;
  let nodes: Node[] = [];
  const members: Member[] = [];
  let conversationId: string;
  let groupId: string;

  beforeAll(async () => {
    const [nodeA, nodeB] = [
      { port: await deadPort(), internalPort: await deadPort() },
      { port: await deadPort(), internalPort: await deadPort() },
    ];
    // Each assigned as soon as it runs, so afterAll stops it even if another failed to start.
    await Promise.all([
      PrivateRedis.start().then((started) => (redis = started)),
      PrivateRabbit.start().then((started) => (rabbit = started)),
      startLocalWorker({
        AUTH_SECRET: inject("authSecret"),
        BRIDGE_SECRET: inject("bridgeSecret"),
        BRIDGE_URL: "",
        // Each conversation's pushes enter by the node it hashes to; the other is the failover.
        BRIDGE_URLS: `http://127.0.0.1:${nodeA.internalPort},http://127.0.0.1:${nodeB.internalPort}`,
        LIMIT_REGISTRATIONS: "1000/60",
        LIMIT_MESSAGES: "100000/10",
      }).then((started) => (worker = started)),
    ]);
    const env = {
      WORKER_URL: worker!.url,
      RABBITMQ_URL: rabbit!.url,
      REDIS_URL: redis!.url,
      NODE_TTL_MS: "3000",
      EDGE_LINK: "true",
    };
    const run = `${process.pid}-${Date.now().toString(36)}`;
    nodes = [
      new Node("A", `fs-a-${run}`, nodeA.port, nodeA.internalPort, env),
      new Node("B", `fs-b-${run}`, nodeB.port, nodeB.internalPort, env),
    ];
    await Promise.all(nodes.map((node) => node.start()));

    const gateways: Gateway[] = ["edge", "A", "B"];
    const users = await Promise.all(
      gateways.flatMap((gateway) => [true, false].map((sender) => registerUser(`fs_${sender ? "s" : "r"}${gateway}`, { baseUrl: worker!.url }))),
    );
    const [owner, ...others] = users;
    groupId = (await createGroup(owner!, others)).id;
    conversationId = groupConversationId(groupId);

    for (const [i, user] of users.entries()) {
      const gateway = gateways[Math.floor(i / 2)]!;
      const sender = i % 2 === 0;
      const node = nodes.find((n) => n.name === gateway);
      const client = new ChatClient({
        api: user.api,
        transport: node ? { kind: "socket.io", url: node.socketUrl } : { kind: "edge" },
        // Quick reconnects and resends: the recovery times then show the system, not a client's patience.
        backoff: { baseMs: 200, capMs: 1_000 },
        ackTimeoutMs: 1_500,
        heartbeatMs: 5_000,
        initialHistory: "all",
      });
      const member: Member = { label: `${sender ? "sender" : "receiver"}@${gateway}`, gateway, sender, user, client, pushes: [], seen: [], readies: 0 };
      client.on("status", (status) => status === "syncing" && member.readies++);
      client.on("event", (event) => {
        if (event.type === "message.new" && event.message.conversationId === conversationId) member.pushes.push({ id: event.message.id, at: Date.now() });
      });
      client.on("message", (message) => message.conversationId === conversationId && member.seen.push(message));
      members.push(member);
    }
    await Promise.all(members.map((m) => m.client.connect()));
  }, 120_000);

  afterAll(async () => {
    for (const member of members) member.client.close();
    await Promise.allSettled(nodes.map((node) => node.kill()));
    await worker?.dispose();
    await Promise.allSettled([rabbit?.close(), redis?.close()]);
  }, 120_000);

  it("loses, duplicates and reorders nothing acknowledged; pushes come back after each repair", async () => {
    const acked: Acked[] = [];
    const refused: string[] = [];
    let sending = true;
    const sendLoop = async (member: Member) => {
      for (let index = 0; sending; index++) {
        const clientMsgId = `${member.gateway}-${index}`;
        try {
          const message = await member.client.send({ to: { groupId }, clientMsgId, kind: "text", body: { text: clientMsgId } });
          acked.push({ sender: member.label, index, message });
        } catch (error) {
          refused.push(`${member.label} ${clientMsgId}: ${String(error)}`);
        }
        await sleep(SEND_EVERY_MS);
      }
    };
    const receivers = members.filter((m) => !m.sender);
    const loops = members.filter((m) => m.sender).map(sendLoop);

    /** Ms from `since` until a push arrives at the member (rejects after the bound and a margin). */
    const nextPush = async (member: Member, since: number): Promise<number> => {
      const deadline = since + RECOVERY_BOUND_MS + 20_000;
      for (;;) {
        const push = member.pushes.find((p) => p.at >= since);
        if (push) return push.at - since;
        if (Date.now() > deadline) throw new Error(`no push reached ${member.label} within ${deadline - since} ms`);
        await sleep(10);
      }
    };

    const [nodeA, nodeB] = nodes as [Node, Node];
    const faults: Fault[] = [
      { name: "node B SIGKILLed, restarted", cuts: ["B"], run: async () => (await nodeB.kill(), await sleep(NODE_DOWN_MS), await nodeB.start()) },
      { name: "node A SIGKILLed, restarted", cuts: ["A"], run: async () => (await nodeA.kill(), await sleep(NODE_DOWN_MS), await nodeA.start()) },
      { name: "RabbitMQ restarted", cuts: [], run: async () => (await rabbit!.stop(), await rabbit!.start()) },
      { name: "Redis restarted, data kept", cuts: [], run: async () => (await redis!.stop(true), await redis!.start()) },
      { name: "Redis restarted, empty", cuts: [], run: async () => (await redis!.stop(false), await redis!.start()) },
      { name: "Worker restarted, same state", cuts: ["edge"], run: () => worker!.restart() },
    ];

    const results: { fault: string; outageMs: number; recovery: Record<string, number>; uncut: string[] }[] = [];
    const since = Date.now();
    await Promise.all(receivers.map((r) => nextPush(r, since)));
    await sleep(STEADY_MS);
    for (const fault of faults) {
      const readiesBefore = members.map((m) => m.readies);
      const brokenAt = Date.now();
      await fault.run();
      const repairedAt = Date.now();
      const times = await Promise.all(receivers.map((r) => nextPush(r, repairedAt)));
      const recovery = Object.fromEntries(receivers.map((r, i) => [r.gateway, times[i]!]));
      await sleep(STEADY_MS);
      // The clients the fault cut must have reconnected by now (a client's backoff is at most 1 s).
      const cut = members.filter((m) => fault.cuts.includes(m.gateway));
      for (let waited = 0; waited < 5_000 && cut.some((m) => m.readies === readiesBefore[members.indexOf(m)]); waited += 50) await sleep(50);
      const reconnected = members.filter((m, i) => m.readies > readiesBefore[i]!);
      const uncut = cut.filter((m) => !reconnected.includes(m)).map((m) => m.label);
      results.push({ fault: fault.name, outageMs: repairedAt - brokenAt, recovery, uncut });
      console.log(
        `[fault-suite] ${fault.name}: repaired after ${repairedAt - brokenAt} ms; next push after the repair at ` +
          receivers.map((r, i) => `${r.gateway} ${times[i]} ms`).join(", ") +
          `; reconnected: ${reconnected.map((m) => m.label).join(", ") || "none"}`,
      );
    }

    // Stop sending; every send in flight finishes (its retries included).
    sending = false;
    await Promise.race([Promise.all(loops), sleep(30_000).then(() => Promise.reject(new Error("sends still pending 30 s after the last fault")))]);
    await sleep(500); // pushes still on their way land (0.5 s): what arrives later counts as by sync
    // What the members held before the final sync: pushes, and the syncs a gap or a reconnect started.
    const heldBefore = members.map((m) => new Set(m.client.messages(conversationId).map((message) => message.id)));
    const missingBeforeFinalSync = Object.fromEntries(members.map((m, i) => [m.label, acked.filter((a) => !heldBefore[i]!.has(a.message.id)).length]));
    await Promise.all(members.map((m) => m.client.sync()));

    // Storage is the truth: every acknowledged send is stored, once per clientMsgId.
    const stored = (await syncConversation(members[0]!.user, conversationId)).filter((m) => m.kind === "text");
    const storedIds = new Set(stored.map((m) => m.id));
    const lost = acked.filter((a) => !storedIds.has(a.message.id)).length;
    const perClientMsgId = new Map<string, number>();
    for (const m of stored) perClientMsgId.set(`${m.senderId}/${m.clientMsgId}`, (perClientMsgId.get(`${m.senderId}/${m.clientMsgId}`) ?? 0) + 1);
    let duplicated = [...perClientMsgId.values()].reduce((sum, n) => sum + n - 1, 0);
    // A sender's sends are sequential: their seqs must rise in the order sent.
    let outOfOrder = 0;
    for (const member of members.filter((m) => m.sender)) {
      const own = acked.filter((a) => a.sender === member.label).sort((x, y) => x.index - y.index);
      for (let i = 1; i < own.length; i++) if (own[i]!.message.seq <= own[i - 1]!.message.seq) outOfOrder++;
    }
    // Every member holds every acknowledged message exactly once, in seq order, after the final sync.
    let missingAfterSync = 0;
    let duplicatePushes = 0;
    const onlyBySync: Record<string, number> = {};
    for (const member of members) {
      const held = member.client.messages(conversationId);
      const counts = new Map<string, number>();
      for (const m of held) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
      duplicated += [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
      for (let i = 1; i < held.length; i++) if (held[i]!.seq <= held[i - 1]!.seq) outOfOrder++;
      for (let i = 1; i < member.seen.length; i++) if (member.seen[i]!.seq <= member.seen[i - 1]!.seq) outOfOrder++;
      missingAfterSync += acked.filter((a) => !counts.has(a.message.id)).length;
      const pushed = new Set(member.pushes.map((p) => p.id));
      duplicatePushes += member.pushes.length - pushed.size;
      if (!member.sender) onlyBySync[member.gateway] = acked.filter((a) => !pushed.has(a.message.id)).length;
    }
    const counts = { acked: acked.length, refused: refused.length, lost, duplicated, outOfOrder, missingAfterSync };
    console.log(
      `[fault-suite] ${JSON.stringify(counts)}; came by sync only (no live push), per receiver: ${JSON.stringify(onlyBySync)}; ` +
        `${duplicatePushes} repeated pushes dropped by the client (allowed: at least once); ` +
        `not yet held before the final sync: ${JSON.stringify(missingBeforeFinalSync)}`,
    );
    if (refused.length > 0) console.log(`[fault-suite] refused sends:\n${refused.join("\n")}`);

    expect(acked.length).toBeGreaterThan(50);
    expect(refused).toEqual([]);
    expect({ lost, duplicated, outOfOrder, missingAfterSync }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, missingAfterSync: 0 });
    for (const result of results) {
      expect(result.uncut, `${result.fault}: these clients never lost their connection`).toEqual([]);
      for (const [gateway, ms] of Object.entries(result.recovery)) expect(ms, `${result.fault}: ${gateway}`).toBeLessThan(RECOVERY_BOUND_MS);
    }
  }, 300_000);
});
