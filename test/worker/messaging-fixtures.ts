// Social set-up for messaging tests, through the real HTTP routes (friends, groups, login).
import type { AuthResponse, SendMessageBody } from "../../protocol/index.js";
import { call, registerUser } from "./http.js";

export type TestUser = AuthResponse & { token: string };

/** Another device of the same user: a login with its own device id (and its own token). */
export async function loginDevice(user: TestUser, deviceId: string): Promise<TestUser> {
  const res = await call<AuthResponse>("POST", "/api/auth/login", {
    body: { username: user.user.username, password: "correct horse battery", deviceId },
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, token: res.body.accessToken };
}

export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const sent = await call("POST", "/api/friends/requests", { token: a.token, body: { userId: b.user.id } });
  if (sent.status !== 201) throw new Error(`friend request failed: ${sent.status} ${JSON.stringify(sent.body)}`);
  const accepted = await call("POST", `/api/friends/requests/${sent.body.request.id}/accept`, { token: b.token });
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
}

/**
 * A group owned by `owner` with these members (each first lets anyone add them to groups,
 * so all are added); returns its id and conversation id.
 */
export async function createGroup(owner: TestUser, members: TestUser[], name = "test group") {
  for (const member of members) {
    const open = await call("PATCH", "/api/me", { token: member.token, body: { groupAddPolicy: "anyone" } });
    if (open.status !== 200) throw new Error(`groupAddPolicy failed: ${open.status} ${JSON.stringify(open.body)}`);
  }
  const res = await call("POST", "/api/groups", {
    token: owner.token,
    body: { name, memberIds: members.map((m) => m.user.id) },
  });
  if (res.status !== 201) throw new Error(`create group failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { groupId: res.body.group.id as string, conversationId: res.body.group.conversationId as string };
}

let sends = 0;
/** A text send body with a fresh clientMsgId. */
export function textTo(to: { userId: string } | { groupId: string }, text: string, clientMsgId = `c-${++sends}-${Date.now()}`): SendMessageBody {
  return { to, clientMsgId, kind: "text", body: { text } };
}

export async function send(user: TestUser, body: SendMessageBody) {
  return call("POST", "/api/messages", { token: user.token, body });
}

export { registerUser };
