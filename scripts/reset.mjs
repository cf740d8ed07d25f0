#!/usr/bin/env node
// `npm run reset`: wipes the local data of `npm start` (D1 database, R2 files, Durable
// Objects: all under .wrangler/state), so the next `npm start` begins with no users.
// .dev.vars (the local secrets) is kept.
import { existsSync, rmSync } from "node:fs";

const STATE = ".wrangler/state";
const WORKER_PORT = process.env.WORKER_PORT ?? "8787";

// Deleting the database under a running Worker leaves it answering from a vanished file.
const running = await fetch(`http://127.0.0.1:${WORKER_PORT}/api/openapi.json`, { method: "HEAD" }).then(
  (res) => res.ok,
  () => false,
);
if (running) {
  console.error(`[reset] the Worker still answers on port ${WORKER_PORT}: stop \`npm start\` (Ctrl-C) first`);
  process.exit(1);
}
if (!existsSync(STATE)) {
  console.log(`[reset] nothing to wipe: ${STATE} does not exist`);
} else {
  rmSync(STATE, { recursive: true, force: true });
  console.log(`[reset] wiped ${STATE} (local D1, R2 and Durable Objects); the next \`npm start\` starts empty`);
}
