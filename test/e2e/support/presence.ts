// What a friend sees of a user's presence: `presence` pushes and the `online` flag.
import type { ServerEvent } from "../../../protocol/index.js";
import type { TestUser } from "./api.js";
import type { DeviceClient } from "./clients.js";

type Presence = Extract<ServerEvent, { type: "presence" }>;

/** The first `presence` push about `user` with this state, among the events from index `after` on. */
export function presenceOf(watcher: DeviceClient, user: TestUser, online: boolean, after: number, ms: number): Promise<Presence> {
  return watcher.waitFor<Presence>(
    (e) => e.type === "presence" && e.userId === user.id && e.online === online && watcher.events.indexOf(e) >= after,
    `presence ${online ? "online" : "offline"}`,
    ms,
  );
}

/** The `online` flag of `user` in `viewer`'s friend view. */
export async function onlineAsSeenBy(viewer: TestUser, user: TestUser): Promise<boolean> {
  const { online } = (await viewer.api.friends.get(user.id)).user;
  if (online === undefined) throw new Error("the friend view has no online flag");
  return online;
}
