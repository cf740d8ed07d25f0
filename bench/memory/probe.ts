// Preloaded into a server child (`node --expose-gc --import tsx --import bench/memory/probe.ts
// <server>`): on the IPC message "measure" it collects garbage (when --expose-gc is on) and
// answers with process.memoryUsage(), measured inside the server's own process; on
// `{ snapshot: path }` it also writes a heap snapshot there (MEMORY_HEAP_SNAPSHOTS, index.ts);
// with PROBE_DEBUG set it prints V8's heap spaces (size, used, physical MB) to stderr.
// Then it measures again after a memory-reducing gc (`settled`): what V8's memory reducer
// does to an idle process by itself a few seconds on (compacting the pages a burst of
// connections left sparse, shrinking the young generation); the first figure, three plain
// gcs, still holds that fragmentation. The server's code is not touched.
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";

type GcOptions = { type: "major"; execution: "sync"; flavor: "last-resort" };
const collect = (globalThis as { gc?: (options?: GcOptions) => void }).gc;

process.on("message", (message) => {
  const snapshot = (message as { snapshot?: unknown } | null)?.snapshot;
  if ((message !== "measure" && typeof snapshot !== "string") || !process.send) return;
  if (collect) for (let i = 0; i < 3; i++) collect();
  const usage = process.memoryUsage();
  if (typeof snapshot === "string") writeHeapSnapshot(snapshot);
  if (process.env.PROBE_DEBUG) console.error(JSON.stringify({ pid: process.pid, rss: usage.rss >> 20, spaces: getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size >> 20, s.space_used_size >> 20, s.physical_space_size >> 20]) }));
  collect?.({ type: "major", execution: "sync", flavor: "last-resort" });
  const settled = process.memoryUsage();
  process.send({
    type: "memory",
    gc: Boolean(collect),
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    settled: { rss: settled.rss, heapUsed: settled.heapUsed },
  });
});
