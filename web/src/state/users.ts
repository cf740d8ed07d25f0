// Names for people: a friend's remark wins, then a group nickname, then the display name.
// The directory fills itself from every list the client loads, and looks up strangers
// (e.g. a group member who left) once.
import type { PublicUser } from "../../../protocol/index.js";
import { appState, type AppState } from "./app-state.js";
import { session } from "./session-handle.js";

export function rememberUsers(users: Iterable<PublicUser | null | undefined>): void {
  const known = appState.get().users;
  const fresh: Record<string, PublicUser> = {};
  for (const user of users) if (user && known[user.id] !== user) fresh[user.id] = user;
  if (Object.keys(fresh).length > 0) appState.set((s) => ({ users: { ...s.users, ...fresh } }));
}

export function userName(state: AppState, userId: string, groupId?: string): string {
  if (state.me?.id === userId) return "You";
  const friend = state.friends.find((f) => f.user.id === userId);
  if (friend?.remark) return friend.remark;
  if (groupId) {
    const nickname = state.members[groupId]?.find((m) => m.user.id === userId)?.nickname;
    if (nickname) return nickname;
  }
  const user = state.users[userId];
  return user ? user.displayName || user.username : "Someone";
}

const lookingUp = new Set<string>();
/** Fetches a user the client has not met yet, so a name replaces "Someone". */
export function ensureUser(userId: string): void {
  if (userId === "system" || appState.get().users[userId] || lookingUp.has(userId)) return;
  lookingUp.add(userId);
  session
    .api()
    .users.get(userId)
    .then((user) => rememberUsers([user]))
    .catch(() => undefined);
}
