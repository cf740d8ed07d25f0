// Group fan-out through the full path (README "5. Group fan-out"): one text message to a
// big group (500 members by default) whose members are spread over 4 bridge nodes
// (Socket.IO), the edge (WebSocket to their Durable Object) and offline. The local Worker
// (workerd, D1) stores it and delivers it: one call to the bridge with the member list, which
// routes it over RabbitMQ to the nodes holding members, and the edge members' Durable Objects.
//
// The owner sends from its Socket.IO device on node 0, one message at a time: each is timed
// until the last online member has it. Costs per group message: workerd CPU and the bridge
// nodes' CPU (from /proc), and the broker traffic read from every node's /metrics.
import { performance } from "node:perf_hooks";
import { openDevice, type Device, type TransportKind } from "../fullpath/devices.js";
import { closeDevices, inBatches, metricSum, registerUser, scrape, startStack, type BenchUser, type Stack } from "../fullpath/stack.js";
import { formatNumber, optional, quantiles, renderTable, type Quantiles, type Row } from "../report.js";
import type { MarkdownSection } from "../results.js";

export interface FanoutConfig {
  /** Group size, the owner included. */
  members: number;
  /** Online members on Socket.IO (the owner, who sends, is one of them), spread over `nodes`. */
  socketIo: number;
  /** Online members on the edge WebSocket; the rest are offline. */
  edge: number;
  nodes: number;
  /** Timed group messages, one at a time, after `warmup` untimed ones. */
  messages: number;
  warmup: number;
}

export const FANOUT_CONFIG: FanoutConfig = { members: 500, socketIo: 150, edge: 50, nodes: 4, messages: 20, warmup: 3 };
export const FANOUT_QUICK: FanoutConfig = { members: 100, socketIo: 30, edge: 10, nodes: 4, messages: 5, warmup: 1 };

export interface FanoutResult {
  config: FanoutConfig;
  storage: string;
  /** Online members the message must reach (the sending device left out). */
  onlineRecipients: number;
  /** Messages that reached every online recipient within 15 s. */
  complete: number;
  /** Recipients short, summed over the timed messages (0 when every push arrived). */
  missing: number;
  /** From the send to the last online member's receipt, per message; and to the last Socket.IO / edge member. */
  lastMemberMs: Quantiles;
  lastSocketIoMemberMs: Quantiles;
  lastEdgeMemberMs: Quantiles;
  /** Every single receipt, every member, every message. */
  receiptMs: Quantiles;
  ackMs: Quantiles;
  workerdCpuMsPerGroupMsg?: number;
  bridgeCpuMsPerGroupMsg?: number;
  /** From the nodes' /metrics (edge_im_bridge_*), per group message. */
  brokerPublishesPerGroupMsg: number;
  queueDeliveriesPerGroupMsg: number;
  socketPushesPerGroupMsg: number;
  unroutedRecipientsPerGroupMsg: number;
  setupS: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WAIT_MS = 15_000;

interface Member {
  user: BenchUser;
  kind: TransportKind | "offline";
  node?: number;
}

async function brokerCounts(stack: Stack): Promise<{ published: number; consumed: number; pushes: number; unrouted: number }> {
  const texts = await Promise.all(stack.nodes.map(scrape));
  const sum = (name: string) => texts.reduce((total, text) => total + metricSum(text, name), 0);
  return {
    published: sum("edge_im_bridge_envelopes_published_total"),
    consumed: sum("edge_im_bridge_envelopes_consumed_total"),
    pushes: sum("edge_im_bridge_socket_pushes_total"),
    unrouted: sum("edge_im_bridge_recipients_unrouted_total"),
  };
}

export async function runFanoutBench(urls: { rabbitmq: string; redis: string }, log: (line: string) => void, config = FANOUT_CONFIG): Promise<FanoutResult> {
  if (config.socketIo + config.edge > config.members || config.socketIo < 1) throw new Error("fanout: socketIo + edge must fit in the group, with the owner on Socket.IO");
  const startedAt = performance.now();
  const stack = await startStack({ nodes: config.nodes, ...urls });
  const devices: Device[] = [];
  try {
    // member index -> receipts by clientMsgId
    const receipts = new Map<string, Map<number, number>>();
    const acks = new Map<string, number>();
    let refused: string | undefined;
    const users = await inBatches(config.members, 8, (i) => registerUser(stack.workerUrl, `fan${i}`));
    const owner = users[0]!;
    await inBatches(config.members - 1, 8, (i) => users[i + 1]!.api.me.update({ groupAddPolicy: "anyone" }));
    const { group } = await owner.api.groups.create({ name: "Bench fan-out", memberIds: users.slice(1).map((u) => u.id) });
    if (group.memberCount !== config.members) throw new Error(`fanout: the group has ${group.memberCount} members, expected ${config.members}`);

    // Member i: the first `socketIo` on Socket.IO (node i mod K; the owner is member 0, on node 0), the next `edge` on the edge, the rest offline.
    const members: Member[] = users.map((user, i) =>
      i < config.socketIo ? { user, kind: "socket.io", node: i % config.nodes } : i < config.socketIo + config.edge ? { user, kind: "edge" } : { user, kind: "offline" },
    );
    let ownerDevice: Device | undefined;
    await inBatches(config.socketIo + config.edge, 8, async (i) => {
      const member = members[i]!;
      const where = { workerUrl: stack.workerUrl, socketUrl: stack.nodes[member.node ?? 0]!.socketUrl };
      const device = await openDevice(member.kind as TransportKind, where, member.user.token, (frame) => {
        if (i === 0 && (frame.type === "message.ack" || frame.type === "error")) acks.set(frame.clientMsgId as string, performance.now());
        if (i === 0 && frame.type === "error") refused ??= JSON.stringify(frame);
        if (frame.type !== "message.new") return;
        const clientMsgId = (frame.message as { clientMsgId: string }).clientMsgId;
        let byMember = receipts.get(clientMsgId);
        if (!byMember) receipts.set(clientMsgId, (byMember = new Map()));
        if (!byMember.has(i)) byMember.set(i, performance.now());
      });
      devices.push(device);
      if (i === 0) ownerDevice = device;
    });
    const recipients = members.map((m, i) => ({ ...m, i })).filter((m) => m.i !== 0 && m.kind !== "offline");
    const setupS = (performance.now() - startedAt) / 1000;
    log(
      `  group of ${config.members}: ${config.socketIo} on Socket.IO over ${config.nodes} nodes, ${config.edge} on the edge, ${config.members - config.socketIo - config.edge} offline; ` +
        `set up in ${setupS.toFixed(1)} s`,
    );

    const sendOne = async (clientMsgId: string): Promise<{ sentAt: number; complete: boolean }> => {
      const sentAt = performance.now();
      if (!ownerDevice!.send({ type: "message.send", to: { groupId: group.id }, clientMsgId, kind: "text", body: { text: "Group fan-out benchmark: the meeting moved to room 4." } })) {
        throw new Error("fanout: the owner's socket is closed");
      }
      const deadline = sentAt + WAIT_MS;
      while (performance.now() < deadline) {
        if ((receipts.get(clientMsgId)?.size ?? 0) >= recipients.length && acks.has(clientMsgId)) return { sentAt, complete: true };
        if (refused) throw new Error(`fanout: the group message was refused: ${refused}`);
        await sleep(2);
      }
      return { sentAt, complete: false };
    };
    for (let w = 0; w < config.warmup; w++) await sendOne(`warm-${w}`);
    await sleep(300);

    const before = { workerd: stack.workerdCpuMs(), bridge: stack.nodesCpuMs(), broker: await brokerCounts(stack) };
    const last: number[] = [];
    const lastSocketIo: number[] = [];
    const lastEdge: number[] = [];
    const each: number[] = [];
    const ack: number[] = [];
    let complete = 0;
    let missing = 0;
    for (let m = 0; m < config.messages; m++) {
      const id = `fan-${m}`;
      const { sentAt, complete: done } = await sendOne(id);
      const got = receipts.get(id) ?? new Map<number, number>();
      if (done) complete++;
      missing += recipients.length - got.size;
      const times = recipients.filter((r) => got.has(r.i)).map((r) => ({ kind: r.kind, ms: got.get(r.i)! - sentAt }));
      each.push(...times.map((t) => t.ms));
      if (done) last.push(Math.max(...times.map((t) => t.ms)));
      const lastOf = (kind: string) => Math.max(0, ...times.filter((t) => t.kind === kind).map((t) => t.ms));
      if (done) lastSocketIo.push(lastOf("socket.io"));
      if (done && config.edge > 0) lastEdge.push(lastOf("edge"));
      if (acks.has(id)) ack.push(acks.get(id)! - sentAt);
      // Let stragglers and the nodes' acks settle: the messages must not overlap.
      await sleep(50);
    }
    await sleep(200);
    const after = { workerd: stack.workerdCpuMs(), bridge: stack.nodesCpuMs(), broker: await brokerCounts(stack) };
    const perMsg = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : (b - a) / config.messages);
    const result: FanoutResult = {
      config,
      storage: stack.storage,
      onlineRecipients: recipients.length,
      complete,
      missing,
      lastMemberMs: quantiles(last),
      lastSocketIoMemberMs: quantiles(lastSocketIo),
      lastEdgeMemberMs: quantiles(lastEdge),
      receiptMs: quantiles(each),
      ackMs: quantiles(ack),
      ...optional("workerdCpuMsPerGroupMsg", perMsg(before.workerd, after.workerd)),
      ...optional("bridgeCpuMsPerGroupMsg", perMsg(before.bridge, after.bridge)),
      brokerPublishesPerGroupMsg: perMsg(before.broker.published, after.broker.published)!,
      queueDeliveriesPerGroupMsg: perMsg(before.broker.consumed, after.broker.consumed)!,
      socketPushesPerGroupMsg: perMsg(before.broker.pushes, after.broker.pushes)!,
      unroutedRecipientsPerGroupMsg: perMsg(before.broker.unrouted, after.broker.unrouted)!,
      setupS,
    };
    log(
      `  ${complete}/${config.messages} messages reached all ${recipients.length} online members; last member p50/p99 ${formatNumber(result.lastMemberMs.p50)}/${formatNumber(result.lastMemberMs.p99)} ms; ` +
        `workerd ${formatNumber(result.workerdCpuMsPerGroupMsg)} ms CPU/msg; ${formatNumber(result.brokerPublishesPerGroupMsg)} broker publishes/msg` +
        (missing ? `; ${missing} receipts missing` : ""),
    );
    return result;
  } finally {
    await closeDevices(devices);
    await stack.stop();
  }
}

/** This run | the recorded baseline's fan-out run (bench/baseline.json). */
export function fanoutTable(result: FanoutResult, baseline: FanoutResult | undefined): string {
  const c = result.config;
  const comparable = baseline && baseline.config.members === c.members && baseline.config.socketIo === c.socketIo && baseline.config.edge === c.edge && baseline.config.nodes === c.nodes;
  const reference = comparable ? baseline : undefined;
  const pair = (metric: string, pick: (r: FanoutResult) => number | undefined, better: Row["better"]): Row => ({
    metric,
    current: pick(result),
    reference: reference ? pick(reference) : undefined,
    better,
  });
  const rows: Row[] = [
    pair("online recipients (sending device left out)", (r) => r.onlineRecipients, "none"),
    pair("messages that reached every online member", (r) => r.complete, "higher"),
    pair("time to the last online member p50 ms", (r) => r.lastMemberMs.p50, "lower"),
    pair("time to the last online member p99 ms", (r) => r.lastMemberMs.p99, "lower"),
    pair("  last Socket.IO member p50 ms", (r) => r.lastSocketIoMemberMs.p50, "lower"),
    pair("  last edge member p50 ms", (r) => r.lastEdgeMemberMs.p50, "lower"),
    pair("every receipt p50 ms", (r) => r.receiptMs.p50, "lower"),
    pair("every receipt p99 ms", (r) => r.receiptMs.p99, "lower"),
    pair("send-ack p50 ms (the owner's Socket.IO device)", (r) => r.ackMs.p50, "lower"),
    pair("workerd CPU ms / group msg", (r) => r.workerdCpuMsPerGroupMsg, "lower"),
    pair(`bridge nodes CPU ms / group msg (all ${c.nodes})`, (r) => r.bridgeCpuMsPerGroupMsg, "lower"),
    pair("broker publishes / group msg", (r) => r.brokerPublishesPerGroupMsg, "lower"),
    pair("queue deliveries / group msg", (r) => r.queueDeliveriesPerGroupMsg, "lower"),
    pair("Socket.IO pushes / group msg", (r) => r.socketPushesPerGroupMsg, "none"),
    pair("unrouted recipients / group msg (offline members)", (r) => r.unroutedRecipientsPerGroupMsg, "none"),
  ];
  const title =
    `Group fan-out: ${c.members} members (${c.socketIo} Socket.IO over ${c.nodes} nodes, ${c.edge} edge, ${c.members - c.socketIo - c.edge} offline), ` +
    `${c.messages} messages one at a time`;
  const notes = [
    `one publish per node holding online recipients would be ${Math.min(c.nodes, c.socketIo)} per group message`,
    ...(result.missing ? [`WARNING: ${result.missing} receipts missing (a message did not reach every online member within ${WAIT_MS / 1000} s)`] : []),
    ...(reference ? [] : [baseline ? "(bench/baseline.json's fan-out run used other settings: no comparison)" : "(no fan-out run in bench/baseline.json yet: record one with --record-baseline)"]),
  ];
  return `${renderTable(title, { current: "current", reference: "baseline" }, rows)}\n${notes.join("\n")}`;
}

export function fanoutMarkdown(result: FanoutResult, table: string): MarkdownSection {
  const c = result.config;
  return {
    title: "Group fan-out through the full path",
    intro: [
      "How it is measured: bench/README.md, section 5. ratio = this run / the fan-out run in `bench/baseline.json`.",
      "",
      `- settings: a group of ${c.members}; ${c.socketIo} members online on Socket.IO spread over ${c.nodes} bridge node processes, ${c.edge} on the edge WebSocket, the rest offline; ` +
        `the owner sends ${c.messages} text messages from its Socket.IO device on node 0, one at a time (after ${c.warmup} untimed), each timed until the last online member has it`,
      `- the local Worker (workerd, D1 in ${result.storage}) with BRIDGE_URLS naming the ${c.nodes} nodes; CPU from /proc; broker counts from the nodes' /metrics (edge_im_bridge_envelopes_published_total, ..._consumed_total)`,
      `- set-up (registrations, the group, ${c.socketIo + c.edge} sockets) took ${result.setupS.toFixed(0)} s`,
    ],
    tables: [table],
  };
}
