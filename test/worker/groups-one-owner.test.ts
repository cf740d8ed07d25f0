import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call } from "./http.js";
import { createGroup, users, type TestUser } from "./groups-fixtures.js";

// A group always has exactly one owner, and groups.owner_id names them: racing role
// changes are conditional writes, one wins and the others answer 409 without writing.

/** The owner rows and groups.owner_id, straight from D1. */
async function owners(groupId: string): Promise<{ ownerRows: string[]; ownerId: string | null }> {
  const { results } = await env.DB.prepare("SELECT user_id FROM group_members WHERE group_id = ?1 AND role = 'owner'").bind(groupId).all<{ user_id: string }>();
  const group = await env.DB.prepare("SELECT owner_id FROM groups WHERE id = ?1").bind(groupId).first<{ owner_id: string }>();
  return { ownerRows: results.map((r) => r.user_id), ownerId: group?.owner_id ?? null };
}

async function expectOneOwner(groupId: string): Promise<string> {
  const { ownerRows, ownerId } = await owners(groupId);
  expect(ownerRows).toHaveLength(1);
  expect(ownerRows[0]).toBe(ownerId);
  return ownerId!;
}

const transfer = (groupId: string, by: TestUser, to: TestUser) =>
  call("POST", `/api/groups/${groupId}/owner`, { token: by.token, body: { userId: to.user.id } });

describe("groups: exactly one owner", () => {
  it("of three concurrent transfers one wins, the others answer 409", async () => {
    const [owner, b, c, d] = await users(4, "own");
    const group = await createGroup(owner!, { memberIds: [b!.user.id, c!.user.id, d!.user.id] });
    const answers = await Promise.all([b, c, d].map((heir) => transfer(group.id, owner!, heir!)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    for (const a of answers.filter((a) => a.status === 409)) expect(a.body.error.code).toBe("conflict");
    const winner = answers.findIndex((a) => a.status === 200);
    expect(await expectOneOwner(group.id)).toBe([b, c, d][winner]!.user.id);
  });

  it("an owner leaving while transferring leaves one owner", async () => {
    for (let round = 0; round < 3; round++) {
      const [owner, admin, heir] = await users(3, "lv");
      const group = await createGroup(owner!, { memberIds: [admin!.user.id, heir!.user.id] });
      await call("PUT", `/api/groups/${group.id}/admins/${admin!.user.id}`, { token: owner!.token });
      const [left, moved] = await Promise.all([
        call("POST", `/api/groups/${group.id}/leave`, { token: owner!.token }),
        transfer(group.id, owner!, heir!),
      ]);
      expect([200, 409]).toContain(left.status);
      expect([200, 409]).toContain(moved.status);
      await expectOneOwner(group.id);
    }
  });

  it("a member leaving as they are made owner either leaves as a member or stays as the owner", async () => {
    const [owner, heir] = await users(2, "lm");
    const group = await createGroup(owner!, { memberIds: [heir!.user.id] });
    const [moved, left] = await Promise.all([transfer(group.id, owner!, heir!), call("POST", `/api/groups/${group.id}/leave`, { token: heir!.token })]);
    expect([moved.status, left.status].sort()).toContain(200);
    await expectOneOwner(group.id);
  });

  it("a kick racing a transfer to the kicked member never removes the owner", async () => {
    const [owner, heir] = await users(2, "kk");
    const group = await createGroup(owner!, { memberIds: [heir!.user.id] });
    await Promise.all([transfer(group.id, owner!, heir!), call("DELETE", `/api/groups/${group.id}/members/${heir!.user.id}`, { token: owner!.token })]);
    await expectOneOwner(group.id);
  });

  it("demoting a member who just became the owner is refused", async () => {
    const [owner, heir] = await users(2, "dm");
    const group = await createGroup(owner!, { memberIds: [heir!.user.id] });
    await call("PUT", `/api/groups/${group.id}/admins/${heir!.user.id}`, { token: owner!.token });
    await Promise.all([transfer(group.id, owner!, heir!), call("DELETE", `/api/groups/${group.id}/admins/${heir!.user.id}`, { token: owner!.token })]);
    await expectOneOwner(group.id);
  });
});
