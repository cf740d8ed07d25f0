import * as z from "zod";
import { Id, Text, Timestamp } from "./common.js";

/** Longest text message, in characters (UTF-16 code units). */
export const MAX_TEXT_LENGTH = 5000;
export const MAX_CAPTION_LENGTH = 1000;

export const MessageKind = z.enum(["text", "image", "file", "voice", "video", "system"]);
export type MessageKind = z.infer<typeof MessageKind>;
export const MediaKind = z.enum(["image", "file", "voice", "video"]);
export type MediaKind = z.infer<typeof MediaKind>;

/** A client's id for a send, unique per sender: a retry with the same id is the same message. */
export const ClientMsgId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, "letters, digits, '.', '_', ':' and '-' only");

export const Recipient = z.union([z.object({ userId: Id }).strict(), z.object({ groupId: Id }).strict()]);
export type Recipient = z.infer<typeof Recipient>;

// ---- what a client sends, per kind ----
// zod's max() counts code points; the limit is in UTF-16 code units (what JavaScript's
// `length` and a textarea's maxLength count), so an emoji counts 2: checked by the refine.
export const TextInput = z
  .object({
    text: z
      .string()
      .trim()
      .min(1)
      .max(MAX_TEXT_LENGTH)
      .refine((text) => text.length <= MAX_TEXT_LENGTH, `Too big: expected text to have <=${MAX_TEXT_LENGTH} UTF-16 code units`),
  })
  .strict();
const caption = Text(MAX_CAPTION_LENGTH).optional();
export const ImageInput = z.object({ fileId: Id, width: z.number().int().positive().max(100_000).optional(), height: z.number().int().positive().max(100_000).optional(), caption }).strict();
export const FileInput = z.object({ fileId: Id, caption }).strict();
export const VoiceInput = z.object({ fileId: Id, durationMs: z.number().int().positive().max(3_600_000) }).strict();
export const VideoInput = z.object({ fileId: Id, durationMs: z.number().int().positive().max(36_000_000).optional(), width: z.number().int().positive().max(100_000).optional(), height: z.number().int().positive().max(100_000).optional(), caption }).strict();

/**
 * A send, one variant per kind so the body is checked against the kind it claims.
 * `extra` adds fields around it (the WebSocket frame adds `type`).
 */
export function sendSchema<E extends z.core.$ZodLooseShape>(extra: E) {
  const variant = <K extends Exclude<MessageKind, "system">, B extends z.ZodType>(kind: K, body: B) =>
    z.object({ ...extra, to: Recipient, clientMsgId: ClientMsgId, kind: z.literal(kind), body });
  return z.discriminatedUnion("kind", [
    variant("text", TextInput),
    variant("image", ImageInput),
    variant("file", FileInput),
    variant("voice", VoiceInput),
    variant("video", VideoInput),
  ]);
}

export const SendMessageBody = sendSchema({});
export type SendMessageBody = z.infer<typeof SendMessageBody>;

// ---- what is stored and pushed ----
/** A media body as stored: the client's fields plus the file's metadata, filled in by the server. */
export const MediaBody = z.object({
  fileId: Id,
  name: z.string(),
  size: z.number().int(),
  mime: z.string(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  durationMs: z.number().int().optional(),
  caption: z.string().optional(),
});
export type MediaBody = z.infer<typeof MediaBody>;

/** Server-made events stored in a conversation as `system` messages. */
export const SystemEvent = z.discriminatedUnion("event", [
  z.object({ event: z.literal("group_created"), by: Id, name: z.string() }),
  z.object({ event: z.literal("member_joined"), userIds: z.array(Id), by: Id.nullable() }),
  z.object({ event: z.literal("member_left"), userId: Id }),
  z.object({ event: z.literal("member_kicked"), userId: Id, by: Id }),
  z.object({ event: z.literal("group_renamed"), name: z.string(), by: Id }),
  z.object({ event: z.literal("announcement_changed"), announcement: z.string(), by: Id }),
  z.object({ event: z.literal("group_updated"), fields: z.array(z.string()), by: Id }),
  z.object({ event: z.literal("owner_changed"), ownerId: Id, previousOwnerId: Id }),
  z.object({ event: z.literal("admin_changed"), userId: Id, admin: z.boolean(), by: Id }),
  /** `by` null: an administrator dismissed it (DELETE /api/admin/groups/:id). */
  z.object({ event: z.literal("group_dismissed"), by: Id.nullable() }),
  z.object({ event: z.literal("message_recalled"), messageId: Id, seq: z.number().int(), by: Id }),
  /** An administrator's notice to this conversation (POST /api/admin/notices). */
  z.object({ event: z.literal("notice"), text: z.string() }),
]);
export type SystemEvent = z.infer<typeof SystemEvent>;

export const MessageBody = z.union([TextInput, MediaBody, SystemEvent, z.object({}).strict()]);

export const Message = z.object({
  id: Id,
  conversationId: z.string(),
  seq: z.number().int().positive(),
  senderId: z.string(),
  clientMsgId: z.string(),
  kind: MessageKind,
  /** `{}` once recalled. */
  body: MessageBody,
  createdAt: Timestamp,
  recalledAt: Timestamp.nullable(),
});
export type Message = z.infer<typeof Message>;

export const MessageResponse = z.object({ message: Message });
