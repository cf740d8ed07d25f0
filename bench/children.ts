// Child processes of the benchmarks (bridge nodes, plain Socket.IO servers): tracked so
// that an early exit (an error, Ctrl-C) kills them instead of leaving them running. The
// local Worker's workerd processes are killed the same way (they are descendants of the
// bench process; wrangler's dispose() stops them on a normal end).
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { descendantsOf, pidsNamed } from "./proc.js";

const children = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  const ours = new Set(descendantsOf(process.pid));
  for (const pid of pidsNamed("workerd")) {
    if (!ours.has(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export function track(child: ChildProcess): ChildProcess {
  if (!hooked) {
    hooked = true;
    process.once("exit", killAll);
  }
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** SIGKILL, or with `graceful` SIGTERM first (a bridge node then removes its routes from Redis). */
export async function stopChild(child: ChildProcess, graceful = false): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  if (graceful) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
    return;
  }
  child.kill("SIGKILL");
  await exited;
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it), for a child to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The first line of `child`'s stdout that starts with "{", parsed: how the bench's own
 * servers (plain Socket.IO, the stand-in Worker) say where they listen once they do.
 */
export function firstJsonLine<T>(child: ChildProcess, what: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${timeoutMs / 1000} s`)), timeoutMs);
    child.once("exit", (code) => reject(new Error(`${what} exited early with ${code}`)));
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const line = output.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as T);
    });
  });
}
