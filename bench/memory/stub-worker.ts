// A stand-in Worker for the memory bench's bridge node, in a process of its own (so its
// answers do not wait on the bench process, busy with thousands of clients): every call
// answers 200 at once (`/api/me`: the session is live; `/internal/presence`: recorded,
// lease held). Prints one JSON line `{"url"}` when listening.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => response.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true,"lapsed":false}'));
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
