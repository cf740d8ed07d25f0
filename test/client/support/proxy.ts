// A TCP proxy in front of the Worker that a test can break as networks break: `cut()`
// drops every connection and refuses new ones until `restore()`; `freeze()` keeps the
// open WebSockets up but silently stops carrying their bytes (a half-open link).
// (Only WebSockets: fetch may reuse a pooled connection, and it must stay usable.)
import { createServer, connect, type Socket } from "node:net";

export interface CuttableProxy {
  url: string;
  cut(): void;
  restore(): void;
  freeze(): void;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<CuttableProxy> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<{ sockets: Socket[]; frozen: boolean; websocket: boolean }>();
  let blocked = false;
  const server = createServer((client) => {
    if (blocked) return void client.destroy();
    const upstream = connect(Number(port), hostname);
    const pair = { sockets: [client, upstream], frozen: false, websocket: false };
    // A kept-alive connection may carry an upgrade after plain requests: look at every request.
    client.on("data", (chunk) => (pair.websocket ||= /\r\nupgrade:\s*websocket/i.test(String(chunk))));
    pairs.add(pair);
    const end = () => {
      pair.sockets.forEach((s) => s.destroy());
      pairs.delete(pair);
    };
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      from.on("data", (chunk) => pair.frozen || to.write(chunk));
      from.on("error", end);
      from.on("close", end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  const destroyAll = () => [...pairs].forEach((pair) => pair.sockets.forEach((s) => s.destroy()));
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut() {
      blocked = true;
      destroyAll();
    },
    restore() {
      blocked = false;
    },
    freeze() {
      for (const pair of pairs) pair.frozen ||= pair.websocket;
    },
    close: () =>
      new Promise<void>((resolve) => {
        destroyAll();
        server.close(() => resolve());
      }),
  };
}
