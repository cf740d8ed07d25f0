// bench/RESULTS.md: the adapter benchmark of the latest run that included it (machine,
// versions, settings, the tables), rewritten by every such run.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describeMachine, type Machine } from "../results.js";
import { ADAPTER_ENTRY, BATCH_LINKS, BATCH_WINDOW_MS, P99_BOUND_MS, type AdapterResult } from "./index.js";
import { adapterTables } from "./tables.js";

const file = fileURLToPath(new URL("../RESULTS.md", import.meta.url));

export async function writeAdapterMarkdown(result: AdapterResult, machine: Machine, recordedAt: string): Promise<string> {
  const c = result.config;
  const text = [
    "# Real sockets: edge-im vs the Socket.IO Redis adapter",
    "",
    "Written by `npm run bench` (or `npm run bench -- --only=adapter`); how it is measured: bench/README.md, section 3.",
    "JSON of the same run: `bench/results/latest.json` (`adapter`).",
    "",
    `- run: ${recordedAt}`,
    `- machine: ${describeMachine(machine)}; RabbitMQ, Redis, every node and the clients share it`,
    `- versions: ${Object.entries(result.versions).map(([name, version]) => `${name} ${version}`).join(", ")}`,
    `- settings: K = ${c.nodeCounts.join(", ")} node processes; ${c.clients} socket.io-client clients (websocket transport) in the bench process, client i on node i mod K;` +
      ` offered rates ${c.rates.map((r) => r.toLocaleString("en-US")).join(" and ")} msgs/s, open loop, ${c.durationMs / 1000} s each after a 0.5 s warm-up;` +
      ` one 1:1 \`message.new\` per message injected by a signed HTTP call (edge-im: \`POST /internal/deliver\`; adapter: \`POST /emit\` doing \`io.to(room).emit\`) ${ADAPTER_ENTRY === "node0" ? "into node 0, recipient on another node when K > 1" : "into a node other than the recipient's when K > 1, spread over the nodes (as pushes enter by their conversation's node, and a cluster emits on the sender's node)"};` +
      " latency from each message's due time to its arrival at the client; CPU per 1,000 delivered messages.",
    `- batched: edge-im again on the same nodes and clients, the deliveries due within ${BATCH_WINDOW_MS} ms sent as one batch call (\`{ deliveries: [...] }\` on the same endpoint) per link, through ${BATCH_LINKS} links whatever K (link l enters node l mod K): what the Worker's coalescing links would send; the coalescing wait counts in the latency. The adapter and the per-call edge-im column get one call per message.`,
    "- default: edge-im a third time, as a Worker in the default link mode sends (BRIDGE_LINK_MODE \"busy\"): one call per message until a node's answer asks for batches (`X-Bridge-Busy`, past its `COALESCE_ABOVE`, default 500 deliveries a second, or with 16 calls open), then batched as above until 10 s after the last answer that asked; it starts after 2 s without calls, from a node at rest.",
    `- ceilings: per system and K, the highest offered rate at which every message arrived and p99 stayed under ${P99_BOUND_MS} ms. Between phases the bench waits until no message arrived for 300 ms (at most 5 s), so a saturated phase's backlog does not spill into the next; after a phase that lost more than 10% or had p99 over 2 s, the higher rates of that system are skipped ("-").`,
    "- floor: raw RabbitMQ in one process, publish with confirms to a direct exchange, consume and ack, same rates and payload size; its \"node CPU\" is that process.",
    "",
    "```",
    ...adapterTables(result).map((t) => t.trimStart()),
    "```",
    "",
    "ratio = edge-im / adapter and edge-im / floor; verdict (edge-im against the adapter) ignores differences under 10%.",
    "On this 2-core machine the processes compete for the same two cores: at the higher rates the figures measure saturation as much as cost.",
    "",
  ].join("\n");
  await writeFile(file, text);
  return file;
}
