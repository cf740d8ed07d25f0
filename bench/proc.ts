// CPU time and memory of other processes on this machine, read from Linux's /proc: the
// broker (beam.smp), Redis (redis-server) and workerd do work the Node process never
// sees. Read-only; on a system without /proc every figure is undefined and the tables
// print "-".
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Pids whose command name (/proc/<pid>/comm) is exactly `name`. */
export function pidsNamed(name: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries.filter((entry) => /^\d+$/.test(entry) && read(`/proc/${entry}/comm`)?.trim() === name).map(Number);
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid: number): string[] | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** User + system CPU time of these processes, in ms; undefined if none could be read. */
export function cpuMs(pids: readonly number[]): number | undefined {
  let total: number | undefined;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (!fields) continue;
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name.
    total = (total ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  }
  return total;
}

/** Resident set size of a process in bytes (VmRSS), undefined if unreadable. */
export function rssBytes(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(read(`/proc/${pid}/status`) ?? "");
  return match ? Number(match[1]) * 1024 : undefined;
}

/** Every descendant of `pid` (children, their children, ...). */
export function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  for (const entry of entries) {
    const fields = statFields(Number(entry));
    if (fields) parentOf.set(Number(entry), Number(fields[1]));
  }
  const found: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        frontier.push(child);
      }
    }
  }
  return found;
}

/**
 * Runs a TypeScript script in a child Node (the project's, through tsx) and resolves with the
 * JSON of the last line it prints: how the bench's isolated runs hand back their figures.
 */
export function runJsonChild<T>(script: string, args: string[], env: Record<string, string>, label: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => {
      const line = output.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line) return reject(new Error(`${label} exited with ${code}`));
      resolve(JSON.parse(line) as T);
    });
  });
}
