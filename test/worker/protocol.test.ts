import { describe, expect, it } from "vitest";
import { ClientFrame, SendMessageBody, directConversationId } from "../../protocol/index.js";

describe("wire protocol", () => {
  it("checks a send's body against its kind", () => {
    const to = { userId: "6f1c1e2a-1111-4111-8111-111111111111" };
    expect(SendMessageBody.safeParse({ to, clientMsgId: "c1", kind: "text", body: { text: "hi" } }).success).toBe(true);
    expect(SendMessageBody.safeParse({ to, clientMsgId: "c1", kind: "image", body: { text: "hi" } }).success).toBe(false);
    expect(SendMessageBody.safeParse({ to, clientMsgId: "c1", kind: "system", body: {} }).success).toBe(false);
    const frame = ClientFrame.parse({ type: "message.send", to, clientMsgId: "c2", kind: "text", body: { text: "yo" } });
    expect(frame.type).toBe("message.send");
    expect(ClientFrame.safeParse({ type: "message.send", to, kind: "text", body: { text: "x" } }).success).toBe(false);
    expect(ClientFrame.safeParse({ type: "nope" }).success).toBe(false);
  });

  it("names a 1:1 conversation the same from both sides", () => {
    const a = "00000000-0000-4000-8000-00000000000a";
    const b = "00000000-0000-4000-8000-00000000000b";
    expect(directConversationId(a, b)).toBe(directConversationId(b, a));
    expect(directConversationId(b, a)).toBe(`d:${a}:${b}`);
  });
});
