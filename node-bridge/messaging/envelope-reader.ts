// Reading a consumed envelope on the hot path: JSON parsed once, the envelope's own fields
// (the ones this node routes by) checked by hand, the event passed through as published.
// Events enter the core through a node's signed HTTP entry, where the full schema checks
// them (protocol/bridge.ts, DeliverRequest), so checking each again per consume cost CPU for
// nothing. `session.ended`, whose fields the node acts on (it closes sockets), and any
// envelope the quick check does not accept go through the full schema (protocol Envelope),
// which also gives the reason a malformed one is dropped.
import { Envelope, ServerEvent, TraceId } from "../../protocol/index.js";

// The event types of the protocol: a type outside it (a foreign node's typo, a newer node's
// event this one does not know) goes through the full schema, which refuses it, so clients
// never get an event their SDK cannot read.
const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(ServerEvent.options.map((option) => option.shape.type.value));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isShortId = (value: unknown) => typeof value === "string" && value.length > 0 && value.length <= 64;
const isDeviceRef = (value: unknown) => isObject(value) && typeof value.userId === "string" && UUID.test(value.userId) && typeof value.deviceId === "string" && DEVICE_ID.test(value.deviceId);

function isRecipient(value: unknown): boolean {
  if (!isObject(value) || typeof value.userId !== "string" || !UUID.test(value.userId)) return false;
  const { deviceIds } = value;
  return deviceIds === undefined || (Array.isArray(deviceIds) && deviceIds.every((d) => typeof d === "string" && DEVICE_ID.test(d)));
}

/** The quick check: what Envelope requires of the envelope's own fields; the event only a known type. */
function isRoutableEnvelope(value: unknown): value is Envelope {
  if (!isObject(value) || value.v !== 1 || !isShortId(value.id) || !isShortId(value.origin)) return false;
  const { recipients, exceptDevice, event } = value;
  if (!Array.isArray(recipients) || recipients.length === 0 || !recipients.every(isRecipient)) return false;
  if (exceptDevice !== undefined && !isDeviceRef(exceptDevice)) return false;
  return isObject(event) && typeof event.type === "string" && KNOWN_EVENT_TYPES.has(event.type) && event.type !== "session.ended";
}

/** The envelope in `content`; throws (a zod or JSON error) if it is malformed. */
export function readEnvelope(content: Buffer): Envelope {
  const json: unknown = JSON.parse(content.toString("utf8"));
  if (!isRoutableEnvelope(json)) return Envelope.parse(json);
  // As the schema does: a malformed trace id is dropped, never the envelope.
  if (json.traceId !== undefined && !TraceId.safeParse(json.traceId).success) delete json.traceId;
  return json;
}
