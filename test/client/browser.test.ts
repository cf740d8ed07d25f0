// The SDK in a real browser (Debian's Chromium through playwright-core), bundled as an app
// would bundle it: what only a browser does — the token as a WebSocket subprotocol that
// must be echoed, upload progress through XMLHttpRequest, localStorage for the session,
// socket.io-client's browser build — against the local Worker and the link bridge node.
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { chromiumMissing, launchChromium } from "../browser/support/chromium.js";
import { registerUser } from "../e2e/support/api.js";
import { NodePool } from "../e2e/support/nodes.js";

describe.skipIf(chromiumMissing() || inject("servicesMissing"))("the SDK in Chromium", () => {
  let browser: Browser;
  let bundle: string;

  beforeAll(async () => {
    const result = await build({
      entryPoints: ["client/index.ts"],
      bundle: true,
      format: "iife",
      globalName: "EdgeImSdk",
      platform: "browser",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    bundle = result.outputFiles[0]!.text;
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it("signs up, uploads with progress, keeps the session in localStorage, chats on both transports", async () => {
    const peer = await registerUser("peer");
    const page = await browser.newPage();
    // A page of the Worker's own origin (a JSON answer: no app script runs), so the API is same-origin.
    await page.goto(`${inject("workerUrl")}/api/client-config`);
    await page.addScriptTag({ content: bundle });

    const seen = await page.evaluate(
      async ({ peerUsername, socketIoUrl }) => {
        const { EdgeImApi, LocalStorageTokenStore } = (globalThis as unknown as { EdgeImSdk: typeof import("../../client/index.js") }).EdgeImSdk;
        const username = `browser_${Math.random().toString(36).slice(2, 10)}`;
        const api = new EdgeImApi({ baseUrl: location.origin, tokens: new LocalStorageTokenStore("sdk-test"), deviceId: "browser" });
        await api.auth.register({ username, password: "correct horse battery" });

        const progress: Array<[number, number]> = [];
        let xhrs = 0; // the upload must take the XMLHttpRequest path here (fetch reports no progress)
        const open = XMLHttpRequest.prototype.open;
        XMLHttpRequest.prototype.open = function (this: XMLHttpRequest, ...args: Parameters<typeof open>) {
          xhrs += 1;
          return open.apply(this, args);
        } as typeof open;
        const bytes = new Uint8Array(300_000).fill(7);
        const file = await api.files.upload("image", "big.png", new Blob([bytes], { type: "image/png" }), { onProgress: (s, t) => progress.push([s, t]) });
        const downloaded = await api.files.download(file.id);

        // "Another tab": a second api on the same localStorage is signed in as the same device.
        const tab = new EdgeImApi({ baseUrl: location.origin, tokens: new LocalStorageTokenStore("sdk-test") });

        const peerUser = await api.users.byUsername(peerUsername);
        await api.friends.request({ userId: peerUser.id });
        return {
          username,
          progress,
          xhrs,
          size: file.size,
          downloaded: downloaded.size,
          tabSession: tab.session()?.deviceId,
          stored: localStorage.getItem("sdk-test.session") !== null,
          peerId: peerUser.id,
          socketIoUrl,
        };
      },
      { peerUsername: peer.user.username, socketIoUrl: inject("linkSocketUrl") },
    );
    expect(seen.size).toBe(300_000);
    expect(seen.downloaded).toBe(300_000);
    expect(seen.xhrs).toBe(1);
    expect(seen.progress.length).toBeGreaterThan(0);
    expect(seen.progress.at(-1)).toEqual([300_000, 300_000]);
    expect(seen.tabSession).toBe("browser");
    expect(seen.stored).toBe(true);

    const [request] = await peer.api.friends.requests();
    await peer.api.friends.accept(request!.id);

    const chatted = await page.evaluate(
      async ({ peerId, socketIoUrl, username }) => {
        const { EdgeImApi, LocalStorageTokenStore, MemoryTokenStore, ChatClient } = (globalThis as unknown as { EdgeImSdk: typeof import("../../client/index.js") }).EdgeImSdk;
        const api = new EdgeImApi({ baseUrl: location.origin, tokens: new LocalStorageTokenStore("sdk-test") });
        const edge = new ChatClient({ api, transport: { kind: "edge" } });
        const statuses: string[] = [];
        edge.on("status", (s) => statuses.push(s));
        await edge.connect();
        const overEdge = await edge.send({ to: { userId: peerId }, kind: "text", body: { text: "from the browser, edge" } });

        // A second device of the same user, on the Socket.IO gateway.
        const other = new EdgeImApi({ baseUrl: location.origin, tokens: new MemoryTokenStore(), deviceId: "browser-io" });
        await other.auth.login({ username, password: "correct horse battery" });
        const io = new ChatClient({ api: other, transport: { kind: "socket.io", url: socketIoUrl } });
        await io.connect();
        const overIo = await io.send({ to: { userId: peerId }, kind: "text", body: { text: "from the browser, Socket.IO" } });
        // The edge device hears its sibling's send (multi-device sync), in order after its own.
        await new Promise<void>((resolve) => {
          if (edge.messages(overIo.conversationId).some((m) => m.id === overIo.id)) return resolve();
          edge.on("message", (m) => m.id === overIo.id && resolve());
        });
        const held = edge.messages(overIo.conversationId).map((m) => m.seq);
        edge.close();
        io.close();
        return { statuses, seqs: [overEdge.seq, overIo.seq], held };
      },
      { peerId: seen.peerId, socketIoUrl: seen.socketIoUrl, username: seen.username },
    );
    expect(chatted.statuses).toEqual(["connecting", "syncing", "live", "closed"]);
    expect(chatted.seqs).toEqual([1, 2]);
    expect(chatted.held).toEqual([1, 2]);
    const conversation = (await peer.api.conversations.list())[0]!;
    expect((await peer.api.conversations.history(conversation.id, { afterSeq: 0 })).messages.map((m) => (m.body as { text: string }).text)).toEqual([
      "from the browser, edge",
      "from the browser, Socket.IO",
    ]);
    await page.close();
  }, 60_000);

  it("a gateway that refuses the page's Origin: the ChatClient stops and says why instead of retrying", async () => {
    const nodes = new NodePool();
    try {
      const strict = await nodes.start("strict-origin", { allowedOrigins: ["https://chat.elsewhere.example"] });
      const user = await registerUser("origin");
      const page = await browser.newPage();
      await page.goto(`${inject("workerUrl")}/api/client-config`);
      await page.addScriptTag({ content: bundle });
      const outcome = await page.evaluate(
        async ({ socketIoUrl, username }) => {
          const { EdgeImApi, MemoryTokenStore, ChatClient } = (globalThis as unknown as { EdgeImSdk: typeof import("../../client/index.js") }).EdgeImSdk;
          const api = new EdgeImApi({ baseUrl: location.origin, tokens: new MemoryTokenStore(), deviceId: "refused" });
          await api.auth.login({ username, password: "correct horse battery" });
          const chat = new ChatClient({ api, transport: { kind: "socket.io", url: socketIoUrl }, backoff: { baseMs: 50, capMs: 100 } });
          const statuses: string[] = [];
          chat.on("status", (s) => statuses.push(s));
          const error = new Promise<string>((resolve) => chat.on("error", (e) => resolve(`${(e as { code?: string }).code}: ${e.message}`)));
          void chat.connect().catch(() => undefined);
          const said = await error;
          // Given the backoff of 50-100 ms, a retrying client would have tried again many times by now.
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          return { said, statuses };
        },
        { socketIoUrl: strict.socketUrl, username: user.username },
      );
      expect(outcome.said).toMatch(/^forbidden: /);
      expect(outcome.statuses).toEqual(["connecting", "closed"]);
      await page.close();
    } finally {
      await nodes.stopAll();
    }
  }, 60_000);
});
