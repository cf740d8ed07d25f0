import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { directConversationId, type ConversationSummary, type Message } from "../../protocol/index.js";
import { call, errorCode } from "./http.js";
import { MESSAGE_DBS } from "./message-dbs.js";
import { befriend, createGroup, registerUser, send, textTo, type TestUser } from "./messaging-fixtures.js";

// The tests run with two message databases (vitest.config.ts). Conversations spread over
// both by a hash of their id, and everything a conversation does works on either.

/** Where the directory put a conversation. */
async function placement(conversationId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT message_db FROM conversations WHERE id = ?1").bind(conversationId).first<{ message_db: number }>();
  return row!.message_db;
}

async function listOf(user: TestUser, query = ""): Promise<{ conversations: ConversationSummary[]; nextCursor: string | null }> {
  const res = await call("GET", `/api/conversations${query}`, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function summaryOf(user: TestUser, conversationId: string): Promise<ConversationSummary> {
  const found = (await listOf(user, "?limit=100")).conversations.find((c) => c.id === conversationId);
  expect(found, conversationId).toBeDefined();
  return found!;
}

async function storedCount(index: number, conversationId: string): Promise<number> {
  const row = await MESSAGE_DBS[index]!.prepare("SELECT count(*) AS n FROM messages WHERE conversation_id = ?1").bind(conversationId).first<{ n: number }>();
  return row!.n;
}

/** Sends, sync, read (with the receipt), recall and unread counts, in one conversation, checked on its database. */
async function exercise(reader: TestUser, writer: TestUser, conversationId: string, to: (user: TestUser) => { userId: string } | { groupId: string }) {
  const index = await placement(conversationId);
  const sent: Message[] = [];
  for (const [from, text] of [[writer, "one"], [writer, "two"], [reader, "three"]] as const) {
    const res = await send(from, textTo(to(from), text));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    sent.push(res.body.message);
  }
  const seqs = sent.map((m) => m.seq);
  expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2]);
  const last = seqs[2]!;

  const listed = await summaryOf(reader, conversationId);
  expect(listed).toMatchObject({ lastSeq: last, unread: 2, lastMessage: { id: sent[2]!.id } });

  const sync = await call("GET", `/api/conversations/${conversationId}/messages?afterSeq=${seqs[0]! - 1}`, { token: reader.token });
  expect(sync.status).toBe(200);
  expect(sync.body.messages.map((m: Message) => m.id)).toEqual(sent.map((m) => m.id));
  expect(sync.body.lastSeq).toBe(last);

  const read = await call("POST", `/api/conversations/${conversationId}/read`, { token: reader.token, body: { seq: last - 1 } });
  expect(read.body).toEqual({ conversationId, readSeq: last - 1, unread: 0 });
  const asWriter = await summaryOf(writer, conversationId);
  if (asWriter.kind === "direct") expect(asWriter.peerReadSeq).toBe(last - 1);

  const late = await send(writer, textTo(to(writer), "oops"));
  expect((await summaryOf(reader, conversationId)).unread).toBe(1);
  const recalled = await call("POST", `/api/messages/${late.body.message.id}/recall`, { token: writer.token });
  expect(recalled.status, JSON.stringify(recalled.body)).toBe(200);
  const afterRecall = await summaryOf(reader, conversationId);
  // The recall notice takes the next seq; the recalled message no longer counts as unread.
  expect(afterRecall).toMatchObject({ lastSeq: last + 2, unread: 0, lastMessage: { kind: "system", body: { event: "message_recalled" } } });

  // The directory is cached by now, so history checks membership and reads at once: a
  // stranger still gets the same 404, never the page.
  const stranger = await registerUser("stranger");
  const peek = await call("GET", `/api/conversations/${conversationId}/messages?afterSeq=0`, { token: stranger.token });
  expect(peek.status).toBe(404);
  expect(peek.body.messages).toBeUndefined();

  // Stored where the directory says, and only there.
  expect(await storedCount(index, conversationId)).toBeGreaterThanOrEqual(5);
  expect(await storedCount(1 - index, conversationId)).toBe(0);
  return index;
}

describe("message databases", () => {
  it("1:1 conversations land on both databases, and each works there", async () => {
    const alice = await registerUser("alice");
    const seen = new Set<number>();
    for (let i = 0; i < 16 && seen.size < 2; i++) {
      const peer = await registerUser("peer");
      await befriend(alice, peer);
      const conversationId = directConversationId(alice.user.id, peer.user.id);
      const index = await placement(conversationId);
      if (seen.has(index)) continue;
      seen.add(await exercise(alice, peer, conversationId, (from) => ({ userId: from === alice ? peer.user.id : alice.user.id })));
    }
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it("group conversations land on both databases, and each works there", async () => {
    const owner = await registerUser("owner");
    const member = await registerUser("member");
    const seen = new Set<number>();
    for (let i = 0; i < 16 && seen.size < 2; i++) {
      const { groupId, conversationId } = await createGroup(owner, [member], `group ${i}`);
      const index = await placement(conversationId);
      if (seen.has(index)) continue;
      // The writer is the owner, who may recall; the member reads.
      seen.add(await exercise(member, owner, conversationId, () => ({ groupId })));
    }
    expect([...seen].sort()).toEqual([0, 1]);
  });
});

describe("the conversation list, paged", () => {
  it("pages over conversations on both databases, most recently active first, each once", async () => {
    const me = await registerUser("pager");
    const ids: string[] = [];
    const placements = new Set<number>();
    // At least six, on both databases (placement is a hash of random ids).
    for (let i = 0; i < 20 && (ids.length < 6 || placements.size < 2); i++) {
      const peer = await registerUser("paged");
      await befriend(me, peer);
      ids.push(directConversationId(me.user.id, peer.user.id));
      placements.add(await placement(ids.at(-1)!));
      // Every other one gets a message: active ones sort by it, silent ones by their creation.
      if (i % 2 === 0) expect((await send(peer, textTo({ userId: me.user.id }, `hi ${i}`))).status).toBe(201);
    }
    expect(placements.size).toBe(2);

    const whole = await listOf(me, "?limit=100");
    expect(whole.nextCursor).toBeNull();
    expect(whole.conversations.map((c) => c.id).sort()).toEqual([...ids].sort());
    const times = whole.conversations.map((c) => c.updatedAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const paged: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listOf(me, `?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(page.conversations.length).toBeLessThanOrEqual(4);
      paged.push(...page.conversations.map((c) => c.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(paged).toEqual(whole.conversations.map((c) => c.id));
    // Without a limit: the documented default page size (50) holds them all.
    expect((await listOf(me)).conversations).toHaveLength(ids.length);
  });

  it("answers a cursor it never handed out, and a bad limit, with 400", async () => {
    const me = await registerUser("badcursor");
    for (const cursor of ["nope", "W10", "eyJ4IjoxfQ", "!!!"]) {
      const res = await call("GET", `/api/conversations?cursor=${encodeURIComponent(cursor)}`, { token: me.token });
      expect(res.status, cursor).toBe(400);
      expect(errorCode(res)).toBe("invalid_cursor");
    }
    for (const limit of ["0", "101", "x"]) {
      const res = await call("GET", `/api/conversations?limit=${limit}`, { token: me.token });
      expect(res.status, limit).toBe(400);
      expect(errorCode(res)).toBe("invalid_query");
    }
  });

  it("is described in the OpenAPI document: cursor and limit, nextCursor, 400 invalid_cursor", async () => {
    const doc = await call("GET", "/api/openapi.json");
    const list = doc.body.paths["/api/conversations"].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual(["query:cursor", "query:limit"]);
    expect(JSON.stringify(list.responses["200"])).toContain("nextCursor");
    expect(JSON.stringify(list.responses["400"] ?? {})).toContain("invalid_cursor");
  });
});
