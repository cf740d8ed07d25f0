import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { directConversationId } from "../../protocol/index.js";
import { database } from "../../worker/db/client.js";
import { acceptFriendRequest, declineFriendRequest, findFriendRequest, insertFriendRequest } from "../../worker/db/friend-requests.js";
import { call, errorCode, registerUser } from "./http.js";

type User = Awaited<ReturnType<typeof registerUser>>;

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

async function sendRequest(from: User, to: User, message?: string) {
  const res = await call("POST", "/api/friends/requests", {
    token: from.token,
    body: { userId: to.user.id, ...(message !== undefined ? { message } : {}) },
  });
  expect(res.status).toBe(201);
  return res.body.request;
}

/** a asks, b accepts: they are friends. */
async function befriend(a: User, b: User) {
  const request = await sendRequest(a, b);
  const accepted = await call("POST", `/api/friends/requests/${request.id}/accept`, { token: b.token });
  expect(accepted.status).toBe(200);
  return request;
}

async function requests(user: User, direction: string, status = "pending") {
  const res = await call("GET", `/api/friends/requests?direction=${direction}&status=${status}`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body.requests as { id: string; from: { id: string }; to: { id: string }; status: string }[];
}

async function friendIds(user: User): Promise<string[]> {
  const res = await call("GET", "/api/friends", { token: user.token });
  expect(res.status).toBe(200);
  return res.body.friends.map((f: { user: { id: string } }) => f.user.id);
}

describe("friend requests", () => {
  it("sends a request by user id; both sides see it, with both profiles and the message", async () => {
    const ann = await registerUser("ann");
    const ben = await registerUser("ben");
    const sent = await call("POST", "/api/friends/requests", {
      token: ann.token,
      body: { userId: ben.user.id, message: "  hi, it's Ann  " },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.request).toMatchObject({
      from: { id: ann.user.id, username: ann.user.username },
      to: { id: ben.user.id, username: ben.user.username },
      message: "hi, it's Ann",
      status: "pending",
      respondedAt: null,
    });
    expect(sent.body.request.from.passwordHash).toBeUndefined();

    const incoming = await requests(ben, "incoming");
    expect(incoming.map((r) => r.id)).toEqual([sent.body.request.id]);
    const outgoing = await requests(ann, "outgoing");
    expect(outgoing.map((r) => r.id)).toEqual([sent.body.request.id]);
    // The defaults are incoming + pending.
    const byDefault = await call("GET", "/api/friends/requests", { token: ben.token });
    expect(byDefault.body.requests.map((r: { id: string }) => r.id)).toEqual([sent.body.request.id]);
    expect(await requests(ann, "incoming")).toEqual([]);
  });

  it("sends a request by username, in any case, with no message", async () => {
    const cat = await registerUser("cat");
    const dan = await registerUser("dan");
    const sent = await call("POST", "/api/friends/requests", {
      token: cat.token,
      body: { username: dan.user.username.toUpperCase() },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.request).toMatchObject({ to: { id: dan.user.id }, message: "" });
  });

  it("lists requests newest first", async () => {
    const eve = await registerUser("eve");
    const senders = [await registerUser("s"), await registerUser("s"), await registerUser("s")];
    const ids: string[] = [];
    for (const s of senders) ids.push((await sendRequest(s, eve)).id);
    expect((await requests(eve, "incoming")).map((r) => r.id)).toEqual(ids.reverse());
  });

  it("refuses a request to myself, by id or by username", async () => {
    const fay = await registerUser("fay");
    for (const body of [{ userId: fay.user.id }, { username: fay.user.username }]) {
      const res = await call("POST", "/api/friends/requests", { token: fay.token, body });
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe("cannot_befriend_self");
    }
  });

  it("refuses an unknown user with 404", async () => {
    const gus = await registerUser("gus");
    for (const body of [{ userId: UNKNOWN_ID }, { username: "nobody_at_all" }]) {
      const res = await call("POST", "/api/friends/requests", { token: gus.token, body });
      expect(res.status).toBe(404);
      expect(errorCode(res)).toBe("not_found");
    }
  });

  it("refuses a duplicate request, and tells the peer of a pending request to accept it", async () => {
    const hal = await registerUser("hal");
    const ivy = await registerUser("ivy");
    const first = await sendRequest(hal, ivy);

    const again = await call("POST", "/api/friends/requests", { token: hal.token, body: { username: ivy.user.username } });
    expect(again.status).toBe(409);
    expect(errorCode(again)).toBe("request_exists");

    const reverse = await call("POST", "/api/friends/requests", { token: ivy.token, body: { userId: hal.user.id } });
    expect(reverse.status).toBe(409);
    expect(errorCode(reverse)).toBe("request_pending_from_peer");
    expect(reverse.body.error.message).toContain(`/api/friends/requests/${first.id}/accept`);
    expect(await requests(hal, "outgoing")).toHaveLength(1);
    expect(await requests(ivy, "outgoing")).toEqual([]);
  });

  it("refuses a request to someone who is already a friend, from either side", async () => {
    const jay = await registerUser("jay");
    const kim = await registerUser("kim");
    await befriend(jay, kim);
    for (const [from, to] of [[jay, kim], [kim, jay]] as const) {
      const res = await call("POST", "/api/friends/requests", { token: from.token, body: { userId: to.user.id } });
      expect(res.status).toBe(409);
      expect(errorCode(res)).toBe("already_friends");
    }
  });

  it("refuses invalid bodies and queries with 400, and a missing token with 401", async () => {
    const lee = await registerUser("lee");
    const other = await registerUser("other");
    const bodies: unknown[] = [
      {},
      { userId: "not-a-uuid" },
      { userId: other.user.id, username: other.user.username },
      { userId: other.user.id, message: "x".repeat(201) },
      { username: "a b" },
      { userId: other.user.id, extra: true },
    ];
    for (const body of bodies) {
      const res = await call("POST", "/api/friends/requests", { token: lee.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(res)).toBe("invalid_body");
    }
    const badQuery = await call("GET", "/api/friends/requests?direction=sideways", { token: lee.token });
    expect(badQuery.status).toBe(400);
    expect(errorCode(badQuery)).toBe("invalid_query");

    const unauthenticated = [
      call("POST", "/api/friends/requests", { body: { userId: other.user.id } }),
      call("GET", "/api/friends/requests"),
      call("POST", `/api/friends/requests/${UNKNOWN_ID}/accept`),
      call("POST", `/api/friends/requests/${UNKNOWN_ID}/decline`),
      call("GET", "/api/friends"),
      call("GET", `/api/friends/${other.user.id}`),
      call("PATCH", `/api/friends/${other.user.id}`, { body: { remark: "x" } }),
      call("DELETE", `/api/friends/${other.user.id}`),
    ];
    for (const res of await Promise.all(unauthenticated)) {
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe("unauthorized");
    }
  });
});

describe("answering friend requests", () => {
  it("accepting makes both users friends and opens their 1:1 conversation", async () => {
    const max = await registerUser("max");
    const nia = await registerUser("nia");
    const request = await sendRequest(max, nia, "let's chat");

    const accepted = await call("POST", `/api/friends/requests/${request.id}/accept`, { token: nia.token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.friend).toMatchObject({ user: { id: max.user.id, username: max.user.username }, remark: "" });
    expect(accepted.body.friend.since).toBeGreaterThan(0);

    expect(await friendIds(max)).toEqual([nia.user.id]);
    expect(await friendIds(nia)).toEqual([max.user.id]);
    const maxSeesNia = await call("GET", `/api/friends/${nia.user.id}`, { token: max.token });
    expect(maxSeesNia.status).toBe(200);
    expect(maxSeesNia.body.friend.user.id).toBe(nia.user.id);

    // The request moved from pending to accepted on both sides.
    expect(await requests(nia, "incoming")).toEqual([]);
    const done = await requests(max, "outgoing", "accepted");
    expect(done).toMatchObject([{ id: request.id, status: "accepted" }]);

    // Storage: one direct conversation with both as members, ready for their first message.
    const conversationId = directConversationId(max.user.id, nia.user.id);
    const conversation = await env.DB.prepare("SELECT kind FROM conversations WHERE id = ?").bind(conversationId).first();
    expect(conversation).toEqual({ kind: "direct" });
    const members = await env.DB.prepare("SELECT user_id FROM conversation_members WHERE conversation_id = ? ORDER BY user_id")
      .bind(conversationId)
      .all();
    expect(members.results.map((r) => r.user_id)).toEqual([max.user.id, nia.user.id].sort());
  });

  it("only the recipient may accept: others get 404, the sender 403", async () => {
    const oli = await registerUser("oli");
    const pam = await registerUser("pam");
    const outsider = await registerUser("quinn");
    const request = await sendRequest(oli, pam);

    const byOutsider = await call("POST", `/api/friends/requests/${request.id}/accept`, { token: outsider.token });
    expect(byOutsider.status).toBe(404);
    expect(errorCode(byOutsider)).toBe("not_found");
    const bySender = await call("POST", `/api/friends/requests/${request.id}/accept`, { token: oli.token });
    expect(bySender.status).toBe(403);
    expect(errorCode(bySender)).toBe("forbidden");
    expect(await friendIds(oli)).toEqual([]);
    expect(await requests(pam, "incoming")).toHaveLength(1);
  });

  it("refuses to answer a request twice with 409", async () => {
    const ray = await registerUser("ray");
    const sue = await registerUser("sue");
    const request = await befriend(ray, sue);
    for (const action of ["accept", "decline"]) {
      const res = await call("POST", `/api/friends/requests/${request.id}/${action}`, { token: sue.token });
      expect(res.status).toBe(409);
      expect(errorCode(res)).toBe("request_not_pending");
    }
  });

  it("answers 404 for unknown and non-UUID request ids", async () => {
    const tom = await registerUser("tom");
    for (const id of [UNKNOWN_ID, "not-a-uuid", "123"]) {
      for (const action of ["accept", "decline"]) {
        const res = await call("POST", `/api/friends/requests/${id}/${action}`, { token: tom.token });
        expect(res.status).toBe(404);
        expect(errorCode(res)).toBe("not_found");
      }
    }
  });

  it("declining closes the request; the sender may ask again later", async () => {
    const uma = await registerUser("uma");
    const vic = await registerUser("vic");
    const outsider = await registerUser("wes");
    const request = await sendRequest(uma, vic);

    const bySender = await call("POST", `/api/friends/requests/${request.id}/decline`, { token: uma.token });
    expect(bySender.status).toBe(403);
    const byOutsider = await call("POST", `/api/friends/requests/${request.id}/decline`, { token: outsider.token });
    expect(byOutsider.status).toBe(404);

    const declined = await call("POST", `/api/friends/requests/${request.id}/decline`, { token: vic.token });
    expect(declined.status).toBe(200);
    expect(declined.body.request).toMatchObject({ id: request.id, status: "declined", from: { id: uma.user.id } });
    expect(declined.body.request.respondedAt).toBeGreaterThan(0);
    expect(await requests(uma, "outgoing", "declined")).toMatchObject([{ id: request.id }]);
    expect(await requests(vic, "incoming")).toEqual([]);
    expect(await friendIds(vic)).toEqual([]);

    const acceptLate = await call("POST", `/api/friends/requests/${request.id}/accept`, { token: vic.token });
    expect(acceptLate.status).toBe(409);
    expect(errorCode(acceptLate)).toBe("request_not_pending");

    const again = await sendRequest(uma, vic);
    expect(again.id).not.toBe(request.id);
  });
});

describe("friends", () => {
  it("lists friends by display name, case-insensitively", async () => {
    const xia = await registerUser("xia");
    const named: User[] = [];
    for (const displayName of ["zoe", "Adam", "mia"]) {
      const u = await registerUser("named");
      await call("PATCH", "/api/me", { token: u.token, body: { displayName } });
      await befriend(u, xia);
      named.push(u);
    }
    const res = await call("GET", "/api/friends", { token: xia.token });
    expect(res.body.friends.map((f: { user: { displayName: string } }) => f.user.displayName)).toEqual(["Adam", "mia", "zoe"]);
  });

  it("answers 404 for a non-friend, an unknown user and a non-UUID id", async () => {
    const yan = await registerUser("yan");
    const stranger = await registerUser("stranger");
    for (const id of [stranger.user.id, UNKNOWN_ID, "nope"]) {
      const viewed = await call("GET", `/api/friends/${id}`, { token: yan.token });
      expect(viewed.status).toBe(404);
      expect(errorCode(viewed)).toBe("not_found");
      const patched = await call("PATCH", `/api/friends/${id}`, { token: yan.token, body: { remark: "who" } });
      expect(patched.status).toBe(404);
      const deleted = await call("DELETE", `/api/friends/${id}`, { token: yan.token });
      expect(deleted.status).toBe(404);
    }
  });

  it("a remark is private to the side that set it, and can be cleared", async () => {
    const zed = await registerUser("zed");
    const amy = await registerUser("amy");
    await befriend(zed, amy);

    const set = await call("PATCH", `/api/friends/${amy.user.id}`, { token: zed.token, body: { remark: "  Amy from work " } });
    expect(set.status).toBe(200);
    expect(set.body.friend).toMatchObject({ user: { id: amy.user.id }, remark: "Amy from work" });

    const zedSees = await call("GET", `/api/friends/${amy.user.id}`, { token: zed.token });
    expect(zedSees.body.friend.remark).toBe("Amy from work");
    const amySees = await call("GET", `/api/friends/${zed.user.id}`, { token: amy.token });
    expect(amySees.body.friend.remark).toBe("");
    const amyList = await call("GET", "/api/friends", { token: amy.token });
    expect(amyList.body.friends[0].remark).toBe("");

    const cleared = await call("PATCH", `/api/friends/${amy.user.id}`, { token: zed.token, body: { remark: "" } });
    expect(cleared.body.friend.remark).toBe("");

    for (const body of [{}, { remark: "x".repeat(65) }, { remark: "a\nb" }, { remark: 5 }]) {
      const bad = await call("PATCH", `/api/friends/${amy.user.id}`, { token: zed.token, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(bad)).toBe("invalid_body");
    }
  });

  it("deleting removes the friendship for both sides; they can become friends again", async () => {
    const bob = await registerUser("bob");
    const cy = await registerUser("cy");
    await befriend(bob, cy);
    await call("PATCH", `/api/friends/${cy.user.id}`, { token: bob.token, body: { remark: "old pal" } });

    const removed = await call("DELETE", `/api/friends/${cy.user.id}`, { token: bob.token });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ ok: true });
    expect(await friendIds(bob)).toEqual([]);
    expect(await friendIds(cy)).toEqual([]);
    expect((await call("GET", `/api/friends/${bob.user.id}`, { token: cy.token })).status).toBe(404);
    const twice = await call("DELETE", `/api/friends/${bob.user.id}`, { token: cy.token });
    expect(twice.status).toBe(404);

    // The 1:1 conversation and its history stay.
    const conversationId = directConversationId(bob.user.id, cy.user.id);
    const kept = await env.DB.prepare("SELECT id FROM conversations WHERE id = ?").bind(conversationId).first();
    expect(kept).not.toBeNull();

    // Either side may ask again; the new friendship starts without the old remark.
    await befriend(cy, bob);
    expect(await friendIds(bob)).toEqual([cy.user.id]);
    const fresh = await call("GET", `/api/friends/${cy.user.id}`, { token: bob.token });
    expect(fresh.body.friend.remark).toBe("");
  });

  it("describes every friends route in the OpenAPI document", async () => {
    const doc = await call("GET", "/api/openapi.json");
    const paths = Object.keys(doc.body.paths);
    for (const path of ["/api/friends/requests", "/api/friends/requests/{id}/accept", "/api/friends", "/api/friends/{userId}"]) {
      expect(paths).toContain(path);
    }
  });
});

// Races the API's own checks cannot produce one call at a time: two devices answering at
// once, or two requests crossing. The storage layer must settle them on its own.
describe("accepting under races (storage)", () => {
  it("an accept that lost to a decline writes no friendship", async () => {
    const db = database(env.DB);
    const dee = await registerUser("dee");
    const eli = await registerUser("eli");
    const request = await sendRequest(dee, eli);
    const seenAsPending = (await findFriendRequest(db, request.id))!;
    expect(await declineFriendRequest(db, request.id, Date.now())).toBeDefined();

    expect(await acceptFriendRequest(db, seenAsPending, Date.now(), 0)).toBe(false);
    expect(await friendIds(dee)).toEqual([]);
    expect(await friendIds(eli)).toEqual([]);
    expect((await findFriendRequest(db, request.id))!.status).toBe("declined");
  });

  it("two crossing requests: accepting one settles both", async () => {
    const db = database(env.DB);
    const flo = await registerUser("flo");
    const gil = await registerUser("gil");
    const mine = await sendRequest(flo, gil);
    const crossing = await insertFriendRequest(db, gil.user.id, flo.user.id, "", Date.now());

    const accepted = await call("POST", `/api/friends/requests/${mine.id}/accept`, { token: gil.token });
    expect(accepted.status).toBe(200);
    expect(await friendIds(flo)).toEqual([gil.user.id]);
    expect((await findFriendRequest(db, crossing.id))!.status).toBe("accepted");
    const late = await call("POST", `/api/friends/requests/${crossing.id}/accept`, { token: flo.token });
    expect(late.status).toBe(409);
    expect(errorCode(late)).toBe("request_not_pending");
  });
});
