// The Worker's public API, as a client would call it over HTTP.
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import type { AuthResponse, GroupView, Message } from "../../../protocol/index.js";

export interface Answer<T = any> {
  status: number;
  body: T;
}

export async function call<T = any>(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer<T>> {
  const response = await fetch(`${inject("workerUrl")}${path}`, {
    method,
    headers: {
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

function expectStatus(answer: Answer, ...expected: number[]): void {
  if (!expected.includes(answer.status)) throw new Error(`expected ${expected.join("/")}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
  /** The access token of the device it registered with (device "d1"). */
  token: string;
  deviceId: string;
}

export async function registerUser(prefix = "u"): Promise<TestUser> {
  const username = `${prefix}_${randomUUID().slice(0, 8)}`;
  const password = "correct horse battery";
  const answer = await call<AuthResponse>("POST", "/api/auth/register", { body: { username, password, deviceId: "d1" } });
  expectStatus(answer, 201);
  return { id: answer.body.user.id, username, password, token: answer.body.accessToken, deviceId: answer.body.deviceId };
}

/** Another device of the same user: a login with its own device id gives its own token. */
export async function loginDevice(user: TestUser, deviceId: string): Promise<string> {
  const answer = await call<AuthResponse>("POST", "/api/auth/login", { body: { username: user.username, password: user.password, deviceId } });
  expectStatus(answer, 200);
  return answer.body.accessToken;
}

export async function befriend(a: TestUser, b: TestUser): Promise<void> {
  const request = await call("POST", "/api/friends/requests", { token: a.token, body: { userId: b.id } });
  expectStatus(request, 201);
  const accepted = await call("POST", `/api/friends/requests/${request.body.request.id}/accept`, { token: b.token });
  expectStatus(accepted, 200, 201);
}

export async function createGroup(owner: TestUser, members: TestUser[]): Promise<GroupView> {
  const answer = await call("POST", "/api/groups", { token: owner.token, body: { name: "Bridge crew", memberIds: members.map((m) => m.id) } });
  expectStatus(answer, 201);
  return answer.body.group;
}

export async function sendText(from: TestUser, to: { userId: string } | { groupId: string }, text: string, token = from.token): Promise<Message> {
  const answer = await call("POST", "/api/messages", {
    token,
    body: { to, clientMsgId: randomUUID(), kind: "text", body: { text } },
  });
  expectStatus(answer, 201);
  return answer.body.message;
}

/** Sync: every message after `afterSeq`, in order (what a reconnecting device does). */
export async function syncConversation(user: TestUser, conversationId: string, afterSeq = 0, token = user.token): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const answer = await call("GET", `/api/conversations/${encodeURIComponent(conversationId)}/messages?afterSeq=${afterSeq}&limit=100`, { token });
    expectStatus(answer, 200);
    const page = answer.body.messages as Message[];
    messages.push(...page);
    if (page.length === 0 || !answer.body.hasMore) return messages;
    afterSeq = page[page.length - 1]!.seq;
  }
}
