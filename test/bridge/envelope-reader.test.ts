// The consumer's envelope reader (node-bridge/messaging/envelope-reader.ts): the quick check
// accepts what the schema accepts for routing, a malformed trace id is dropped (never the
// envelope), and what the quick check does not take (session.ended, anything malformed)
// goes through the full schema, which throws for a malformed one.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Envelope } from "../../protocol/index.js";
import { readEnvelope } from "../../node-bridge/messaging/envelope-reader.js";

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const valid = () => ({
  v: 1,
  id: randomUUID(),
  origin: "worker",
  recipients: [{ userId: randomUUID(), deviceIds: ["phone", "web.1"] }, { userId: randomUUID() }],
  exceptDevice: { userId: randomUUID(), deviceId: "laptop" },
  event: { type: "typing", conversationId: `g:${randomUUID()}`, userId: randomUUID() },
  traceId: "req-12345678",
});

describe("readEnvelope", () => {
  it("reads a valid envelope as the schema does", () => {
    const envelope = valid();
    expect(readEnvelope(bytes(envelope))).toEqual(Envelope.parse(envelope));
  });

  it("drops a malformed trace id, keeps the envelope", () => {
    const envelope = { ...valid(), traceId: "bad id with spaces" };
    const read = readEnvelope(bytes(envelope));
    expect(read.traceId).toBeUndefined();
    expect(read.id).toBe(envelope.id);
  });

  it("refuses malformed envelopes: not JSON, wrong version, no recipients, a bad user or device id, a bad exceptDevice, no event type or one the protocol does not have", () => {
    const bad: unknown[] = [
      { ...valid(), v: 2 },
      { ...valid(), recipients: [] },
      { ...valid(), recipients: [{ userId: "not-a-uuid" }] },
      { ...valid(), recipients: [{ userId: randomUUID(), deviceIds: ["has space"] }] },
      { ...valid(), exceptDevice: { userId: randomUUID() } },
      { ...valid(), event: { conversationId: "x" } },
      { ...valid(), event: { type: "message.nwe", conversationId: "x" } },
      { ...valid(), id: "" },
    ];
    expect(() => readEnvelope(Buffer.from("{not json"))).toThrow();
    for (const envelope of bad) expect(() => readEnvelope(bytes(envelope)), JSON.stringify(envelope)).toThrow();
  });

  it("checks session.ended, whose fields the node acts on, against the full schema", () => {
    const ended = { ...valid(), event: { type: "session.ended", sessionId: "s1", deviceId: "phone", reason: "logout" } };
    expect(readEnvelope(bytes(ended)).event).toEqual(ended.event);
    expect(() => readEnvelope(bytes({ ...ended, event: { type: "session.ended", deviceId: "phone" } }))).toThrow();
  });
});
