import * as z from "zod";
import { Id, Timestamp } from "./common.js";
import { MediaKind } from "./messages.js";

/** Upload limits per kind, in bytes, and the content types each kind accepts. */
export const FILE_LIMITS = {
  image: { maxBytes: 10 * 1024 * 1024, mime: /^image\/(png|jpeg|gif|webp|avif|heic)$/ },
  voice: { maxBytes: 5 * 1024 * 1024, mime: /^audio\/(ogg|mpeg|mp4|aac|webm|wav|amr)$/ },
  video: { maxBytes: 50 * 1024 * 1024, mime: /^video\/(mp4|webm|quicktime)$/ },
  file: { maxBytes: 25 * 1024 * 1024, mime: /^[a-z]+\/[a-z0-9.+-]+$/ },
} as const satisfies Record<MediaKind, { maxBytes: number; mime: RegExp }>;

/**
 * Bidirectional formatting characters (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069):
 * a right-to-left override makes "photo\u202Egnp.exe" read as "photoexe.png".
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

export const UploadQuery = z.object({
  kind: MediaKind,
  /** The file's name as the user sees it: no control characters, no bidi controls (refused, 400 invalid_query). */
  name: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/^[^\p{Cc}]*$/u, "must not contain control characters")
    .refine((name) => !BIDI_CONTROLS.test(name), "must not contain bidirectional control characters (U+202E and the like)"),
});

export const FileInfo = z.object({
  id: Id,
  kind: MediaKind,
  name: z.string(),
  mime: z.string(),
  size: z.number().int(),
  uploaderId: Id,
  createdAt: Timestamp,
});
export type FileInfo = z.infer<typeof FileInfo>;
export const FileResponse = z.object({ file: FileInfo });
