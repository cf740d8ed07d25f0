// The Worker for the benchmark: scripts/local-worker.ts (as the end-to-end tests start it),
// with no bridge (BRIDGE_URL empty): the send path measured is the Worker's own, edge
// delivery included. The local D1 (SQLite) lives in tmpfs when the machine has one: on
// disk, fsync stalls made runs differ by 30-50%, which would hide the changes the
// baseline is there to catch.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { startLocalWorker as startWorker } from "../../scripts/local-worker.js";

export interface BenchWorker {
  url: string;
  /** Where the local D1, R2 and Durable Object state live, e.g. "tmpfs (/dev/shm)". */
  storage: string;
  stop(): Promise<void>;
}

/** BENCH_STATE_DIR overrides the choice (e.g. BENCH_STATE_DIR=/tmp to measure with the disk). */
function stateParent(): { dir: string; storage: string } {
  const chosen = process.env.BENCH_STATE_DIR;
  if (chosen) return { dir: chosen, storage: chosen };
  return existsSync("/dev/shm") ? { dir: "/dev/shm", storage: "tmpfs (/dev/shm)" } : { dir: tmpdir(), storage: `disk (${tmpdir()})` };
}

export async function startLocalWorker(): Promise<BenchWorker> {
  const { dir, storage } = stateParent();
  const secret = () => randomBytes(24).toString("hex");
  // One sender sends far past LIMIT_MESSAGES on purpose: lift it (its counter is still taken).
  const worker = await startWorker({ AUTH_SECRET: secret(), BRIDGE_SECRET: secret(), BRIDGE_URL: "", LIMIT_MESSAGES: "1000000/1" }, dir);
  return { url: worker.url, storage, stop: () => worker.dispose() };
}
