import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FILE_LIMITS, type FileInfo, type Message } from "../../protocol/index.js";
import { BASE, call, errorCode } from "./http.js";
import { befriend, createGroup, registerUser, send, type TestUser } from "./messaging-fixtures.js";
import { connect } from "./ws-client.js";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);

function upload(user: TestUser, query: string, body: BodyInit, contentType: string) {
  return call<{ file: FileInfo }>("POST", `/api/files${query}`, { token: user.token, rawBody: body, headers: { "Content-Type": contentType } });
}

function download(user: TestUser, fileId: string, headers: Record<string, string> = {}) {
  return SELF.fetch(`${BASE}/api/files/${fileId}`, { headers: { Authorization: `Bearer ${user.token}`, ...headers } });
}

describe("files", () => {
  it("uploads to R2, sends it in a message with its metadata, and serves it to members only", async () => {
    const alice = await registerUser("alice", "a1");
    const bob = await registerUser("bob", "b1");
    const eve = await registerUser("eve");
    await befriend(alice, bob);

    const up = await upload(alice, "?kind=image&name=cat.png", PNG, "image/png");
    expect(up.status).toBe(201);
    const file = up.body.file;
    expect(file).toMatchObject({ kind: "image", name: "cat.png", mime: "image/png", size: PNG.byteLength, uploaderId: alice.user.id });

    // Before it is sent anywhere only the uploader can read it.
    expect((await download(alice, file.id)).status).toBe(200);
    expect((await download(bob, file.id)).status).toBe(404);

    const b = await connect(bob.token);
    const sent = await send(alice, {
      to: { userId: bob.user.id },
      clientMsgId: "img-1",
      kind: "image",
      body: { fileId: file.id, width: 640, height: 480, caption: "my cat" },
    });
    expect(sent.status).toBe(201);
    const expectedBody = { fileId: file.id, name: "cat.png", size: PNG.byteLength, mime: "image/png", width: 640, height: 480, caption: "my cat" };
    expect(sent.body.message).toMatchObject({ kind: "image", body: expectedBody });
    expect(((await b.next("message.new")).message as Message).body).toEqual(expectedBody);
    b.close();

    const got = await download(bob, file.id);
    expect(got.status).toBe(200);
    expect(got.headers.get("Content-Type")).toBe("image/png");
    expect(got.headers.get("Content-Disposition")).toBe("inline; filename*=UTF-8''cat.png");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(PNG);

    const partial = await download(bob, file.id, { Range: "bytes=2-5" });
    expect(partial.status).toBe(206);
    expect(partial.headers.get("Content-Range")).toBe(`bytes 2-5/${PNG.byteLength}`);
    expect(new Uint8Array(await partial.arrayBuffer())).toEqual(PNG.slice(2, 6));
    const tail = await download(bob, file.id, { Range: "bytes=-3" });
    expect(tail.status).toBe(206);
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(PNG.slice(-3));
    const open = await download(bob, file.id, { Range: "bytes=10-" });
    expect(open.headers.get("Content-Range")).toBe(`bytes 10-15/${PNG.byteLength}`);
    // Past the end: 416 with the size; malformed or multi-range: ignored, the whole file.
    const beyond = await download(bob, file.id, { Range: "bytes=200-300" });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("Content-Range")).toBe(`bytes */${PNG.byteLength}`);
    for (const ignored of ["bytes=abc", "bytes=0-1,5-6", "bytes=9-3", "items=0-5"]) {
      const whole = await download(bob, file.id, { Range: ignored });
      expect(whole.status).toBe(200);
      expect(new Uint8Array(await whole.arrayBuffer())).toEqual(PNG);
    }

    const refused = await download(eve, file.id);
    expect(refused.status).toBe(404);
    expect((await download(eve, crypto.randomUUID())).status).toBe(404);
    expect((await SELF.fetch(`${BASE}/api/files/${file.id}`)).status).toBe(401);
  });

  it("lets every member of a group download a file sent there, generic files as attachments", async () => {
    const owner = await registerUser("gwen");
    const member = await registerUser("hal");
    const { groupId } = await createGroup(owner, [member]);
    const up = await upload(owner, "?kind=file&name=" + encodeURIComponent("notes v1.pdf"), new TextEncoder().encode("%PDF-1.7 hi"), "application/pdf");
    expect(up.status).toBe(201);
    const sent = await send(owner, { to: { groupId }, clientMsgId: "f1", kind: "file", body: { fileId: up.body.file.id } });
    expect(sent.status).toBe(201);
    const got = await download(member, up.body.file.id);
    expect(got.status).toBe(200);
    expect(got.headers.get("Content-Disposition")).toBe("attachment; filename*=UTF-8''notes%20v1.pdf");
    expect(new TextDecoder().decode(await got.arrayBuffer())).toBe("%PDF-1.7 hi");
  });

  it("refuses oversize uploads (413), wrong content types (415) and empty or unnamed ones (400)", async () => {
    const u = await registerUser("ivan");
    const oversize = new Uint8Array(FILE_LIMITS.voice.maxBytes + 1);
    const big = await upload(u, "?kind=voice&name=long.ogg", oversize, "audio/ogg");
    expect(big.status).toBe(413);
    expect(errorCode(big)).toBe("payload_too_large");
    // Without a Content-Length the limit is enforced while reading.
    const streamed = await upload(u, "?kind=voice&name=long.ogg", chunkedStream(oversize), "audio/ogg");
    expect(streamed.status).toBe(413);
    const streamedOk = await upload(u, "?kind=voice&name=short.ogg", chunkedStream(new Uint8Array(1000).fill(7)), "audio/ogg");
    expect(streamedOk.status).toBe(201);
    expect(streamedOk.body.file.size).toBe(1000);

    const wrongType = await upload(u, "?kind=image&name=x.png", PNG, "text/html");
    expect(wrongType.status).toBe(415);
    expect(errorCode(wrongType)).toBe("unsupported_media_type");
    expect((await upload(u, "?kind=video&name=x.mp4", PNG, "image/png")).status).toBe(415);
    expect((await upload(u, "?kind=image&name=x.png", new Uint8Array(0), "image/png")).status).toBe(400);
    expect((await upload(u, "?kind=image", PNG, "image/png")).status).toBe(400);
    expect((await upload(u, "?kind=sticker&name=x", PNG, "image/png")).status).toBe(400);
    // The 64 KiB JSON limit does not apply to uploads.
    const medium = await upload(u, "?kind=image&name=m.png", new Uint8Array(200 * 1024), "image/png");
    expect(medium.status).toBe(201);
  });

  it("only lets a sender attach their own upload, as the kind it was uploaded as", async () => {
    const alice = await registerUser("jill");
    const bob = await registerUser("kurt");
    await befriend(alice, bob);
    const mine = (await upload(alice, "?kind=image&name=a.png", PNG, "image/png")).body.file;
    const asVoice = await send(alice, { to: { userId: bob.user.id }, clientMsgId: "k1", kind: "voice", body: { fileId: mine.id, durationMs: 1000 } });
    expect(asVoice.status).toBe(400);
    expect(errorCode(asVoice)).toBe("invalid_body");
    const notHis = await send(bob, { to: { userId: alice.user.id }, clientMsgId: "k2", kind: "image", body: { fileId: mine.id } });
    expect(notHis.status).toBe(404);
    const unknown = await send(alice, { to: { userId: bob.user.id }, clientMsgId: "k3", kind: "image", body: { fileId: crypto.randomUUID() } });
    expect(unknown.status).toBe(404);
    expect((await download(bob, mine.id)).status).toBe(404);
  });
});

/** A body without a Content-Length, delivered in 64 KiB chunks. */
function chunkedStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 65536));
      offset += 65536;
    },
  });
}
