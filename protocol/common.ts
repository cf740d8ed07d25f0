import * as z from "zod";

/** Server-made ids are UUIDs; the API accepts nothing else where it expects one. */
export const Id = z.uuid();
export type Id = z.infer<typeof Id>;

/** Unix epoch milliseconds. */
export const Timestamp = z.number().int().nonnegative();

/** A human-facing single-line string: trimmed, no control characters. */
export const Line = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, "must not contain control characters");

/** A device id chosen by the client: short, URL- and key-safe (it becomes part of Redis keys). */
export const DeviceId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only");

/** Multi-line user text (announcements, captions): no control characters but newline and tab. */
export const Text = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^(?:[^\p{Cc}]|[\n\t])*$/u, "must not contain control characters other than newline and tab");

/** A link a client may render (avatars): http or https only, never javascript: or data:. */
export const WebUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const Ok = z.object({ ok: z.literal(true) });
