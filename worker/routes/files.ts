import { FILE_LIMITS, FileResponse, UploadQuery, type MediaKind } from "../../protocol/index.js";
import { database } from "../db/client.js";
import { fileObjectKey, findFile, insertFile, isSharedWith, storedBytesOf, toFileInfo } from "../db/files.js";
import { numberVar } from "../env.js";
import { DEFAULT_STORAGE_QUOTA_BYTES } from "../limits/limit-config.js";
import { enforceLimit } from "../limits/enforce-limit.js";
import { runtimeOf } from "../messaging/runtime.js";
import { ApiError, notFound } from "../http/api-error.js";
import { parseByteRange } from "../http/byte-range.js";
import { apiRouter } from "../http/api-router.js";
import { idParam } from "../http/validate.js";

export const fileRoutes = apiRouter("/api/files", "files");

const limitsText = Object.entries(FILE_LIMITS)
  .map(([kind, l]) => `${kind} ≤ ${l.maxBytes / (1024 * 1024)} MiB`)
  .join(", ");

fileRoutes.post(
  "/",
  {
    summary: `Upload a file (raw bytes as the body, its type as Content-Type) to send in a message. Limits: ${limitsText}`,
    query: UploadQuery,
    rawBody: { contentType: "application/octet-stream", description: "the file's bytes; Content-Type must match the kind" },
    response: { status: 201, schema: FileResponse },
    errors: ["invalid_body", "payload_too_large", "unsupported_media_type", "rate_limited", "quota_exceeded"],
  },
  async (c, { query }) => {
    const uploaderId = c.var.auth.userId;
    await enforceLimit(runtimeOf(c), uploaderId, "uploads");
    const { maxBytes, mime: accepted } = FILE_LIMITS[query.kind];
    const mime = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!accepted.test(mime)) {
      throw new ApiError("unsupported_media_type", `a ${query.kind} upload cannot have Content-Type ${JSON.stringify(mime)}`);
    }
    const body = await boundedBody(c.req.raw, maxBytes, query.kind);
    // Checked before the bytes are stored. Uploads racing each other may each pass: the
    // quota can be overshot by what is in flight at once (LIMIT_UPLOADS bounds that).
    const quota = numberVar(c.env.STORAGE_QUOTA_BYTES, DEFAULT_STORAGE_QUOTA_BYTES);
    const used = await storedBytesOf(database(c.env.DB), uploaderId);
    if (used + body.size > quota) {
      throw new ApiError("quota_exceeded", `this upload (${body.size} bytes) would pass your storage quota: ${used} of ${quota} bytes used`);
    }
    const id = crypto.randomUUID();
    await c.env.FILES.put(fileObjectKey(id), body.stream, { httpMetadata: { contentType: mime } });
    const row = { id, uploaderId, kind: query.kind, name: query.name, mime, size: body.size, createdAt: Date.now() };
    try {
      await insertFile(database(c.env.DB), row);
    } catch (error) {
      await c.env.FILES.delete(fileObjectKey(id)); // no row, no one could ever read it
      throw error;
    }
    return c.json({ file: toFileInfo(row) }, 201);
  },
);

fileRoutes.get(
  "/:id",
  {
    summary: "Download a file: its uploader, or a member of a conversation it was sent in (and not recalled). Supports Range",
    response: { status: 200, contentType: "application/octet-stream", description: "the file's bytes" },
    errors: ["not_found"],
  },
  async (c) => {
    const db = database(c.env.DB);
    const file = await findFile(db, idParam(c, "id", "file"));
    if (!file) throw notFound("file");
    const me = c.var.auth.userId;
    // Not sent to me, or its message was recalled: to me it does not exist.
    if (file.uploaderId !== me && !(await isSharedWith(db, file.id, me))) throw notFound("file");
    const range = parseByteRange(c.req.header("Range"), file.size);
    if (range.kind === "unsatisfiable") {
      return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${file.size}`, "Accept-Ranges": "bytes" } });
    }
    const object = await c.env.FILES.get(
      fileObjectKey(file.id),
      range.kind === "part" ? { range: { offset: range.offset, length: range.length } } : {},
    );
    if (!object) throw notFound("file");
    const headers = new Headers({
      "Content-Type": file.mime,
      "Content-Disposition": `${dispositionOf(file.kind as MediaKind)}; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      "Cache-Control": "private, max-age=86400, immutable",
      "X-Content-Type-Options": "nosniff",
      "Accept-Ranges": "bytes",
      ETag: object.httpEtag,
    });
    if (range.kind === "part") {
      headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${file.size}`);
      headers.set("Content-Length", String(range.length));
      return new Response(object.body, { status: 206, headers });
    }
    headers.set("Content-Length", String(file.size));
    return new Response(object.body, { status: 200, headers });
  },
);

/** Media plays in place; a generic file is always downloaded, never rendered as a page. */
function dispositionOf(kind: MediaKind): "inline" | "attachment" {
  return kind === "file" ? "attachment" : "inline";
}

/**
 * The request body, refused beyond maxBytes. With a Content-Length it streams to R2 (a
 * FixedLengthStream holds the client to its length); without one it is read with a
 * running count and refused as soon as it passes the limit.
 */
async function boundedBody(request: Request, maxBytes: number, kind: string): Promise<{ stream: ReadableStream | ArrayBuffer; size: number }> {
  const tooLarge = () => new ApiError("payload_too_large", `a ${kind} upload is limited to ${maxBytes} bytes`);
  const empty = () => new ApiError("invalid_body", "the upload is empty: send the file's bytes as the request body");
  const declared = request.headers.get("Content-Length");
  if (declared !== null && /^\d+$/.test(declared)) {
    const size = Number(declared);
    if (size > maxBytes) throw tooLarge();
    if (size === 0 || !request.body) throw empty();
    return { stream: request.body.pipeThrough(new FixedLengthStream(size)), size };
  }
  if (!request.body) throw empty();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (size === 0) throw empty();
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { stream: bytes.buffer, size };
}
