// The edge heartbeat is answered by the runtime (setWebSocketAutoResponse): the user's
// object is not woken and handles no frame. Any other ping still reaches the object.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EDGE_PING, EDGE_PONG } from "../../protocol/index.js";
import { UserHub } from "../../worker/user-hub/user-hub.js";
import { userHub } from "../../worker/user-hub/stub.js";
import { registerUser } from "./http.js";
import { connect } from "./ws-client.js";

/** The object's side of the device's socket: whether it handled a frame of it, and when the runtime last answered a ping. */
async function serverSide(userId: string, deviceId: string) {
  return runInDurableObject(userHub(env, userId), (instance: UserHub, state) => {
    const [ws] = state.getWebSockets(deviceId);
    // Every frame the object handles takes a token from the socket's bucket (LIMIT_FRAMES).
    const buckets = (instance as unknown as { frameBuckets: WeakMap<WebSocket, unknown> }).frameBuckets;
    return { handledAFrame: buckets.has(ws!), autoAnsweredAt: state.getWebSocketAutoResponseTimestamp(ws!)?.getTime() ?? null };
  });
}

describe("edge heartbeat", () => {
  it("the exact ping text is answered without the object handling a frame; a ping with `t` is handled and echoed", async () => {
    const user = await registerUser("hb", "hb-phone");
    const socket = await connect(user.token);
    const raw: string[] = [];
    socket.ws.addEventListener("message", (e) => raw.push(String(e.data)));
    expect(await serverSide(user.user.id, "hb-phone")).toEqual({ handledAFrame: false, autoAnsweredAt: null });

    const before = Date.now();
    socket.send(EDGE_PING);
    expect(await socket.next("pong")).toEqual({ type: "pong" });
    expect(raw.at(-1)).toBe(EDGE_PONG);
    const auto = await serverSide(user.user.id, "hb-phone");
    expect(auto.handledAFrame).toBe(false);
    expect(auto.autoAnsweredAt).toBeGreaterThanOrEqual(before - 1_000);

    // The old heartbeat (with `t`) keeps working, answered by the object itself.
    socket.send({ type: "ping", t: 42 });
    expect(await socket.next("pong")).toEqual({ type: "pong", t: 42 });
    expect((await serverSide(user.user.id, "hb-phone")).handledAFrame).toBe(true);
    socket.close();
  });
});
