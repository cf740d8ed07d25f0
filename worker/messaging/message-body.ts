import type { MediaBody, SendMessageBody } from "../../protocol/index.js";
import type { Db } from "../db/client.js";
import { findOwnFile } from "../db/files.js";
import { ApiError, notFound } from "../http/api-error.js";

/**
 * The body as stored and pushed. Text is stored as sent (the schema already trimmed and
 * bounded it). A media body names an upload of the sender's own, of the same kind, and is
 * completed with the file's name, size and mime so recipients need no second look-up.
 */
export async function storedBody(db: Db, senderId: string, input: SendMessageBody): Promise<object> {
  if (input.kind === "text") return input.body;
  const file = await findOwnFile(db, input.body.fileId, senderId);
  if (!file) throw notFound("file");
  if (file.kind !== input.kind) {
    throw new ApiError("invalid_body", `file ${file.id} was uploaded as ${file.kind}, not ${input.kind}`, [
      { path: "body.fileId", message: `an ${file.kind} upload cannot be sent as ${input.kind}` },
    ]);
  }
  const media: MediaBody = { ...input.body, fileId: file.id, name: file.name, size: file.size, mime: file.mime };
  return media;
}
