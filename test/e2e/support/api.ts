// Test users and what they do over HTTP, through the SDK (client/): one EdgeImApi per
// user and device, as an app would hold it. Shared by the e2e, bridge and client tests.
// Tests whose subject is a raw request (a forged signature, a malformed body) build that
// request themselves; nothing here does.
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { EdgeImApi, MemoryTokenStore } from "../../../client/index.js";
import { directConversationId, type AuthResponse, type GroupView, type Message } from "../../../protocol/index.js";

/** A fetch that records "METHOD /path" of every request, for counting refreshes and covered routes. */
export function recordingFetch(log: string[] = []): { fetch: typeof fetch; log: string[] } {
  return {
    log,
    fetch: (input, init) => {
      log.push(`${init?.method ?? "GET"} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
  };
}

export interface TestUser {
  /** Signed in as `deviceId`; its session lives in `tokens`. */
  api: EdgeImApi;
  tokens: MemoryTokenStore;
  /** The user as the register answer gave it. */
  user: AuthResponse["user"];
  id: string;
  username: string;
  password: string;
  deviceId: string;
  /** This device's current access token (a refresh by `api` replaces it). */
  readonly token: string;
  /** Every request `api` made, as "METHOD /path". */
  requests: string[];
}

export interface RegisterOptions {
  /** Default "d1". */
  deviceId?: string;
  /** Default: the shared local Worker. */
  baseUrl?: string;
  /** Where to record the requests (default: a new list). */
  log?: string[];
}

/** A new user (unique username with this prefix), signed in on one device. */
export async function registerUser(prefix = "u", options: RegisterOptions = {}): Promise<TestUser> {
  const tokens = new MemoryTokenStore();
  const { fetch, log } = recordingFetch(options.log);
  const api = new EdgeImApi({ baseUrl: options.baseUrl ?? inject("workerUrl"), tokens, fetch, deviceId: options.deviceId ?? "d1" });
  const password = "correct horse battery";
  const auth = await api.auth.register({ username: `${prefix}_${randomUUID().slice(0, 8)}`, password });
  return {
    api,
    tokens,
    user: auth.user,
    id: auth.user.id,
    username: auth.user.username,
    password,
    deviceId: auth.deviceId,
    get token() {
      return tokens.load()!.accessToken;
    },
    requests: log,
  };
}

/** Another device of the same user: a login with its own device id gives its own token. */
export async function loginDevice(user: TestUser, deviceId: string): Promise<string> {
  const device = new EdgeImApi({ baseUrl: user.api.baseUrl, deviceId });
  return (await device.auth.login({ username: user.username, password: user.password })).accessToken;
}

/** Makes them friends; returns their 1:1 conversation id. */
export async function befriend(a: TestUser, b: TestUser): Promise<string> {
  const request = await a.api.friends.request({ userId: b.id });
  await b.api.friends.accept(request.id);
  return directConversationId(a.id, b.id);
}

/** A group with these members: each first lets anyone add them (groupAddPolicy), so all are added. */
export async function createGroup(owner: TestUser, members: TestUser[]): Promise<GroupView> {
  await Promise.all(members.map((m) => m.api.me.update({ groupAddPolicy: "anyone" })));
  return (await owner.api.groups.create({ name: "Bridge crew", memberIds: members.map((m) => m.id) })).group;
}

export function sendText(from: TestUser, to: { userId: string } | { groupId: string }, text: string): Promise<Message> {
  return from.api.messages.send({ to, kind: "text", body: { text } });
}

/** Sync: every message after `afterSeq`, in order (what a reconnecting device does). */
export async function syncConversation(user: TestUser, conversationId: string, afterSeq = 0): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const page = await user.api.conversations.history(conversationId, { afterSeq, limit: 100 });
    messages.push(...page.messages);
    if (page.messages.length === 0 || !page.hasMore) return messages;
    afterSeq = page.messages.at(-1)!.seq;
  }
}
