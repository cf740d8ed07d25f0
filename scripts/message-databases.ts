// The message databases of a Worker started on this machine (scripts/local-worker.ts):
// MESSAGE_DATABASES names D1 bindings, and wrangler.toml declares only MESSAGES_0. For more,
// a copy of wrangler.toml beside it (so its relative paths still hold) also declares the
// others, each with the message migrations; wrangler applies migrations and starts the
// Worker from that copy.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface WorkerConfig {
  /** The wrangler config to use. */
  path: string;
  /** Every D1 binding to migrate: DB, then the message databases. */
  databases: string[];
  dispose(): Promise<void>;
}

/** `messageDatabases`: the value of MESSAGE_DATABASES (default "MESSAGES_0", as in wrangler.toml). */
export async function workerConfig(root: string, messageDatabases = "MESSAGES_0"): Promise<WorkerConfig> {
  const names = messageDatabases.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const base = join(root, "wrangler.toml");
  const text = await readFile(base, "utf8");
  const declared = new Set([...text.matchAll(/^binding\s*=\s*"([^"]+)"/gm)].map((m) => m[1]));
  const missing = names.filter((name) => !declared.has(name));
  const databases = ["DB", ...names];
  if (missing.length === 0) return { path: base, databases, dispose: async () => {} };
  const extra = missing.map(
    (name, i) => `
[[d1_databases]]
binding = "${name}"
database_name = "edge-im-${name.toLowerCase()}"
database_id = "00000000-0000-4000-8000-${(0x100 + i).toString(16).padStart(12, "0")}"
migrations_dir = "migrations/messages"
`,
  );
  // Beside wrangler.toml; its name is in .gitignore.
  const path = join(root, `wrangler.local-${process.pid}-${Date.now().toString(36)}.toml`);
  await writeFile(path, text + extra.join(""));
  return { path, databases, dispose: () => rm(path, { force: true }) };
}
