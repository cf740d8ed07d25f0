// Helpers for the group tests: set-up through the API, and the D1 rows a client's sync
// would read (system messages, conversation members), read straight from the database.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { GroupView } from "../../protocol/index.js";
import { call, registerUser } from "./http.js";
import { messageDbOf } from "./message-dbs.js";

export type TestUser = Awaited<ReturnType<typeof registerUser>>;

/**
 * Fresh users who let anyone add them to a group (groupAddPolicy "anyone"), so the group
 * tests add them directly; test/worker/consent.test.ts covers the default, "friends".
 */
export async function users(n: number, prefix = "g"): Promise<TestUser[]> {
  const made: TestUser[] = [];
  for (let i = 0; i < n; i++) made.push(await openToGroups(await registerUser(prefix)));
  return made;
}

export async function openToGroups(user: TestUser): Promise<TestUser> {
  const res = await call("PATCH", "/api/me", { token: user.token, body: { groupAddPolicy: "anyone" } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return user;
}

export async function createGroup(owner: TestUser, body: Record<string, unknown> = {}): Promise<GroupView> {
  const res = await call("POST", "/api/groups", { token: owner.token, body: { name: "Hikers", ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.group;
}

export async function invite(by: TestUser, groupId: string, invitees: TestUser[]) {
  const res = await call("POST", `/api/groups/${groupId}/members`, {
    token: by.token,
    body: { userIds: invitees.map((u) => u.user.id) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The system events stored in the group conversation, in seq order, with their seq. */
export async function systemEvents(groupId: string): Promise<Array<Record<string, unknown> & { seq: number }>> {
  const { results } = await (await messageDbOf(`g:${groupId}`))
    .prepare("SELECT seq, kind, sender_id, body FROM messages WHERE conversation_id = ?1 ORDER BY seq")
    .bind(`g:${groupId}`)
    .all<{ seq: number; kind: string; sender_id: string; body: string }>();
  for (const row of results) {
    expect(row.kind).toBe("system");
    expect(row.sender_id).toBe("system");
  }
  return results.map((row) => ({ seq: row.seq, ...JSON.parse(row.body) }));
}

/** Sequence numbers start at 1 and leave no gap. */
export function expectConsecutive(events: { seq: number }[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

/** Who holds the group conversation (the rows a client's conversation list comes from). */
export async function conversationMembers(groupId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT user_id FROM conversation_members WHERE conversation_id = ?1")
    .bind(`g:${groupId}`)
    .all<{ user_id: string }>();
  return results.map((r) => r.user_id).sort();
}

export const ids = (...members: TestUser[]) => members.map((m) => m.user.id).sort();

/** Roles by user id, as the member list shows them. */
export async function roles(viewer: TestUser, groupId: string): Promise<Record<string, string>> {
  const res = await call("GET", `/api/groups/${groupId}/members`, { token: viewer.token });
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.members.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role]));
}

/** Lets the clock move, so join times differ (seniority decides who inherits a group). */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
