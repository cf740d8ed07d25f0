import { afterEach, describe, expect, it } from "vitest";
import { call } from "./http.js";
import { createGroup, invite, users } from "./groups-fixtures.js";
import { connect, type TestSocket } from "./ws-client.js";

// What members' devices see when a group changes: one shared `group.updated` for everyone,
// `me` only for the member whose own membership changed, `group.joined` for newcomers and
// `group.removed` for whoever is out.
describe("group pushes", () => {
  const sockets: TestSocket[] = [];
  const open = async (token: string) => {
    const socket = await connect(token);
    sockets.push(socket);
    return socket;
  };
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));

  it("rename, promote, invite and kick reach each member as they should", async () => {
    const [owner, ann, ben, cy] = await users(4, "push");
    const group = await createGroup(owner!, { memberIds: [ann!.user.id, ben!.user.id] });
    const [annWs, benWs, cyWs] = [await open(ann!.token), await open(ben!.token), await open(cy!.token)];

    const rename = await call("PATCH", `/api/groups/${group.id}`, { token: owner!.token, body: { name: "renamed" } });
    expect(rename.status).toBe(200);
    for (const ws of [annWs, benWs]) {
      const pushed = await ws.next("group.updated");
      expect(pushed.group).toMatchObject({ id: group.id, name: "renamed", memberCount: 3 });
      expect(pushed.me).toBeUndefined();
    }

    expect((await call("PUT", `/api/groups/${group.id}/admins/${ann!.user.id}`, { token: owner!.token })).status).toBe(200);
    expect((await annWs.next("group.updated")).me).toMatchObject({ role: "admin" });
    expect((await benWs.next("group.updated")).me).toBeUndefined();

    await invite(owner!, group.id, [cy!]);
    const joined = await cyWs.next("group.joined");
    expect(joined.group).toMatchObject({ id: group.id, name: "renamed", memberCount: 4, me: { role: "member" } });
    expect((await benWs.next("group.updated")).group.memberCount).toBe(4);

    expect((await call("DELETE", `/api/groups/${group.id}/members/${ben!.user.id}`, { token: ann!.token })).status).toBe(200);
    expect(await benWs.next("group.removed")).toMatchObject({ groupId: group.id, reason: "kicked" });
    expect((await cyWs.next("group.updated")).group.memberCount).toBe(3);
  });
});
