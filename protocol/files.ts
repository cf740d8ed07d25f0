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

export const UploadQuery = z.object({
  kind: MediaKind,
  /** The file's name as the user sees it. */
  name: z.string().trim().min(1).max(255),
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
