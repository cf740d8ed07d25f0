// Friends and friend requests: loaded after every (re)connect, kept current by friend.* events.
import type { Friend, FriendRequest } from "../../../protocol/index.js";
import { appState, notify } from "./app-state.js";
import { session } from "./session-handle.js";
import { rememberUsers } from "./users.js";

export async function loadFriends(): Promise<void> {
  const api = session.api();
  const [friends, incoming, outgoing] = await Promise.all([
    api.friends.list(),
    api.friends.requests({ direction: "incoming", status: "pending" }),
    api.friends.requests({ direction: "outgoing", status: "pending" }),
  ]);
  rememberUsers([...friends.map((f) => f.user), ...incoming.map((r) => r.from), ...outgoing.map((r) => r.to)]);
  appState.set((s) => ({
    friends,
    incoming,
    outgoing,
    presence: { ...s.presence, ...Object.fromEntries(friends.map((f) => [f.user.id, f.user.online ?? false])) },
  }));
}

export function upsertFriend(friend: Friend): void {
  rememberUsers([friend.user]);
  appState.set((s) => ({
    friends: [...s.friends.filter((f) => f.user.id !== friend.user.id), friend].sort(byName),
    ...(friend.user.online === undefined ? {} : { presence: { ...s.presence, [friend.user.id]: friend.user.online } }),
  }));
}

function byName(a: Friend, b: Friend): number {
  return (a.remark || a.user.displayName).localeCompare(b.remark || b.user.displayName);
}

export function dropRequest(requestId: string): void {
  appState.set((s) => ({
    incoming: s.incoming.filter((r) => r.id !== requestId),
    outgoing: s.outgoing.filter((r) => r.id !== requestId),
  }));
}

export function addRequest(request: FriendRequest): void {
  const myId = appState.get().me?.id;
  rememberUsers([request.from, request.to]);
  const key = request.to.id === myId ? "incoming" : "outgoing";
  appState.set((s) => ({ [key]: [request, ...s[key].filter((r) => r.id !== request.id)] }));
}

export async function sendFriendRequest(username: string, message: string): Promise<void> {
  const request = await session.api().friends.request({ username }, message || undefined);
  addRequest(request);
  notify(`Friend request sent to ${request.to.displayName}`);
}

export async function acceptRequest(request: FriendRequest): Promise<void> {
  const friend = await session.api().friends.accept(request.id);
  dropRequest(request.id);
  upsertFriend(friend);
  // The 1:1 conversation exists from now on: list it; and the friend list says who is online.
  void session.chat()?.sync();
  await loadFriends();
}

export async function declineRequest(request: FriendRequest): Promise<void> {
  await session.api().friends.decline(request.id);
  dropRequest(request.id);
}

export async function setRemark(userId: string, remark: string): Promise<void> {
  upsertFriend(await session.api().friends.update(userId, { remark }));
}

/** Blocks them: the friendship ends too (they are only told it ended). */
export async function blockUser(userId: string): Promise<void> {
  await session.api().blocks.block(userId);
  appState.set((s) => ({ friends: s.friends.filter((f) => f.user.id !== userId) }));
}

export async function removeFriend(userId: string): Promise<void> {
  await session.api().friends.remove(userId);
  appState.set((s) => ({ friends: s.friends.filter((f) => f.user.id !== userId) }));
}
