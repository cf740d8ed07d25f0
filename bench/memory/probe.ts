// Preloaded into a server child (`node --expose-gc --import tsx --import bench/memory/probe.ts
// <server>`): on the IPC message "measure" it collects garbage (when --expose-gc is on) and
// answers with process.memoryUsage(), measured inside the server's own process. The server's
// code is not touched.
const collect = (globalThis as { gc?: () => void }).gc;

process.on("message", (message) => {
  if (message !== "measure" || !process.send) return;
  if (collect) for (let i = 0; i < 3; i++) collect();
  const usage = process.memoryUsage();
  process.send({ type: "memory", gc: Boolean(collect), rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external });
});
