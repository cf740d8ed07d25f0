// Pushes only, direct calls against coalescing links (BRIDGE_LINKS): the cheapest push the
// Worker makes, a `typing` notice (POST /api/conversations/:id/typing: a rate-limit check,
// two D1 reads, one push, nothing stored), offered open loop at rates past what the message
// path reaches, to 1:1 recipients each on a Socket.IO device of one real bridge node. Per
// variant and rate: workerd and bridge node CPU per push, the bridge's /internal/deliver
// calls per push, the HTTP answer and the push's arrival (p50/p99, from the due time), and
// the pushes that arrived. The variants run one after the other at the same rates.
//
//   npx tsx bench/fullpath/link-push.ts            (BENCH_LINKPUSH_LINKS="0,8", BENCH_LINKPUSH_RATES="200,400,800,1600")
import { performance } from "node:perf_hooks";
import { directConversationId } from "../../protocol/index.js";
import { formatNumber, percentile } from "../report.js";
import { openDevice, type Device } from "./devices.js";
import { closeDevices, inBatches, metricSum, registerUser, scrape, startStack } from "./stack.js";

const CONVERSATIONS = 50;
const DURATION_MS = 3_000;
const DRAIN_MS = 3_000;
const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(",").map(Number).filter((n) => Number.isFinite(n) && n >= 0);
const LINKS = list(process.env.BENCH_LINKPUSH_LINKS, "0,8");
const RATES = list(process.env.BENCH_LINKPUSH_RATES, "200,400,800,1600");
const urls = { rabbitmq: process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672", redis: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Row {
  links: number;
  rate: number;
  sent: number;
  answered: number;
  arrived: number;
  answerP50: number;
  answerP99: number;
  arrivalP50: number;
  arrivalP99: number;
  workerdCpuMsPerPush?: number;
  bridgeCpuMsPerPush?: number;
  deliverCallsPerPush?: number;
}

async function runVariant(links: number): Promise<Row[]> {
  const stack = await startStack({ nodes: 1, ...urls, workerVars: { BRIDGE_LINKS: String(links), BRIDGE_LINK_MODE: "always", LIMIT_TYPING: "1000000/1" } });
  const node = stack.nodes[0]!;
  const devices: Device[] = [];
  const rows: Row[] = [];
  try {
    // Per conversation: due times of the pushes sent, in order, and the arrival of each (FIFO: typing notices carry no id).
    const due: number[][] = Array.from({ length: CONVERSATIONS }, () => []);
    const arrivals: number[][] = Array.from({ length: CONVERSATIONS }, () => []);
    const pairs = await inBatches(CONVERSATIONS, 8, async (c) => {
      const [sender, recipient] = [await registerUser(stack.workerUrl, "lps"), await registerUser(stack.workerUrl, "lpr")];
      const request = await sender.api.friends.request({ userId: recipient.id });
      await recipient.api.friends.accept(request.id);
      const device = await openDevice("socket.io", { workerUrl: stack.workerUrl, socketUrl: node.socketUrl }, recipient.token, (frame) => {
        if (frame.type === "typing") arrivals[c]!.push(performance.now());
      });
      devices.push(device);
      return { token: sender.token, conversationId: directConversationId(sender.id, recipient.id) };
    });
    const calls = async () => metricSum(await scrape(node), "edge_im_bridge_route_lookup_seconds_count");
    const typing = (c: number) =>
      fetch(`${stack.workerUrl}/api/conversations/${encodeURIComponent(pairs[c]!.conversationId)}/typing`, {
        method: "POST",
        headers: { Authorization: `Bearer ${pairs[c]!.token}` },
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.ok;
      });
    // Warm-up: every conversation once, every object and statement warm.
    await Promise.all(pairs.map((_, c) => typing(c)));
    await sleep(1_000);
    for (const a of arrivals) a.length = 0;

    for (const rate of RATES) {
      for (const d of due) d.length = 0;
      for (const a of arrivals) a.length = 0;
      const answers: number[] = [];
      let answered = 0;
      const pending: Promise<void>[] = [];
      const callsBefore = await calls();
      const cpuBefore = { workerd: stack.workerdCpuMs(), bridge: stack.nodesCpuMs() };
      const total = Math.round((rate * DURATION_MS) / 1000);
      const start = performance.now();
      let next = 0;
      while (next < total) {
        const now = performance.now();
        for (; next < total && start + (next * 1000) / rate <= now; next++) {
          const c = next % CONVERSATIONS;
          const dueAt = start + (next * 1000) / rate;
          due[c]!.push(dueAt);
          pending.push(
            typing(c).then(
              (ok) => {
                answers.push(performance.now() - dueAt);
                if (ok) answered++;
              },
              () => void answers.push(performance.now() - dueAt),
            ),
          );
        }
        await sleep(1);
      }
      const deadline = performance.now() + DRAIN_MS;
      const arrivedCount = () => arrivals.reduce((n, a) => n + a.length, 0);
      while ((answers.length < total || arrivedCount() < total) && performance.now() < deadline) await sleep(10);
      const cpuAfter = { workerd: stack.workerdCpuMs(), bridge: stack.nodesCpuMs() };
      const callsAfter = await calls();
      const latencies = due.flatMap((d, c) => arrivals[c]!.slice(0, d.length).map((at, k) => at - d[k]!));
      const per = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : (b - a) / total);
      const row: Row = {
        links,
        rate,
        sent: total,
        answered,
        arrived: arrivedCount(),
        answerP50: percentile(answers, 50),
        answerP99: percentile(answers, 99),
        arrivalP50: percentile(latencies, 50),
        arrivalP99: percentile(latencies, 99),
        ...(per(cpuBefore.workerd, cpuAfter.workerd) !== undefined ? { workerdCpuMsPerPush: per(cpuBefore.workerd, cpuAfter.workerd)! } : {}),
        ...(per(cpuBefore.bridge, cpuAfter.bridge) !== undefined ? { bridgeCpuMsPerPush: per(cpuBefore.bridge, cpuAfter.bridge)! } : {}),
        deliverCallsPerPush: (callsAfter - callsBefore) / total,
      };
      rows.push(row);
      console.log(
        `  BRIDGE_LINKS=${links} ${rate}/s: ${row.arrived}/${row.sent} arrived, ${row.answered} answered 2xx, answer p50/p99 ${formatNumber(row.answerP50)}/${formatNumber(row.answerP99)} ms, ` +
          `arrival p50/p99 ${formatNumber(row.arrivalP50)}/${formatNumber(row.arrivalP99)} ms, workerd ${formatNumber(row.workerdCpuMsPerPush)} ms CPU/push, ` +
          `bridge ${formatNumber(row.bridgeCpuMsPerPush)} ms CPU/push, ${formatNumber(row.deliverCallsPerPush)} deliver calls/push`,
      );
      await Promise.allSettled(pending);
      if (row.arrived < 0.9 * row.sent || row.arrivalP99 > 2_000) {
        console.log(`  BRIDGE_LINKS=${links}: saturated at ${rate}/s, higher rates not run`);
        break;
      }
      await sleep(500);
    }
  } finally {
    await closeDevices(devices);
    await stack.stop();
  }
  return rows;
}

const all: Row[] = [];
for (const links of LINKS) all.push(...(await runVariant(links)));
console.log(JSON.stringify(all));
process.exit(0);
