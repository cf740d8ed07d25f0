// Sending: a pending bubble appears at once; media uploads first (with progress), then the
// message is sent through the chat client, which retries with the same clientMsgId until the
// server answers. The stored message then arrives through the SDK's "message" event and the
// pending bubble goes away.
import { FILE_LIMITS, type ConversationSummary, type MediaKind, type SendMessageBody } from "../../../protocol/index.js";
import { appState, type PendingSend } from "./app-state.js";
import { recipientOf } from "./conversations.js";
import { errorText } from "./errors.js";
import { probeImage, probeMedia, type MediaMeta } from "./media-meta.js";
import { session } from "./session-handle.js";

type Send = Pick<SendMessageBody, "kind" | "body">;

let localCounter = 0;

function updatePending(localId: string, change: Partial<PendingSend>): void {
  appState.set((s) => ({ pending: s.pending.map((p) => (p.localId === localId ? { ...p, ...change } : p)) }));
}

export function discardPending(localId: string): void {
  appState.set((s) => ({ pending: s.pending.filter((p) => p.localId !== localId) }));
}

function startPending(conversation: ConversationSummary, kind: PendingSend["kind"], preview: string, work: (localId: string) => Promise<Send>): void {
  const localId = `local-${++localCounter}`;
  const to = recipientOf(conversation);
  const run = async () => {
    updatePending(localId, { failed: null });
    try {
      const message = await work(localId);
      const chat = session.chat();
      if (!chat) throw new Error("not connected");
      await chat.send({ to, ...message } as Parameters<typeof chat.send>[0]);
      discardPending(localId);
    } catch (error) {
      updatePending(localId, { failed: errorText(error), progress: null });
    }
  };
  const pending: PendingSend = { localId, conversationId: conversation.id, kind, preview, progress: null, failed: null, retry: () => void run() };
  appState.set((s) => ({ pending: [...s.pending, pending] }));
  void run();
}

export function sendText(conversation: ConversationSummary, text: string): void {
  startPending(conversation, "text", text, async () => ({ kind: "text", body: { text } }));
}

/** The kind a file goes as: its type decides; what the server would refuse goes as a plain file. */
function kindOf(type: string, meta: MediaMeta): MediaKind {
  if (FILE_LIMITS.image.mime.test(type)) return "image";
  if (FILE_LIMITS.video.mime.test(type)) return "video";
  // A voice message needs its duration.
  if (FILE_LIMITS.voice.mime.test(type) && meta.durationMs) return "voice";
  return "file";
}

async function probe(file: Blob, type: string): Promise<MediaMeta> {
  if (type.startsWith("image/")) return probeImage(file);
  if (type.startsWith("video/")) return probeMedia(file, "video");
  if (type.startsWith("audio/")) return probeMedia(file, "audio");
  return {};
}

/** A picked file (or a recording, with its measured duration). */
export function sendFile(conversation: ConversationSummary, file: File, known: MediaMeta = {}): void {
  // The server keeps the type without parameters ("audio/webm;codecs=opus" is audio/webm).
  const type = (file.type.split(";")[0] ?? "").trim().toLowerCase() || "application/octet-stream";
  let uploadedId: string | null = null;
  let uploadedKind: MediaKind = "file";
  let meta: MediaMeta = known;
  startPending(conversation, "file", file.name, async (localId) => {
    if (uploadedId === null) {
      meta = { ...(await probe(file, type)), ...known };
      uploadedKind = kindOf(type, meta);
      updatePending(localId, { kind: uploadedKind, progress: 0 });
      const info = await session.api().files.upload(uploadedKind, file.name, file, {
        contentType: type,
        onProgress: (sent, total) => updatePending(localId, { progress: total > 0 ? sent / total : 0 }),
      });
      uploadedId = info.id;
      updatePending(localId, { progress: null });
    }
    return mediaMessage(uploadedKind, uploadedId, meta);
  });
}

function mediaMessage(kind: MediaKind, fileId: string, meta: MediaMeta): Send {
  switch (kind) {
    case "image":
      return { kind, body: { fileId, width: meta.width, height: meta.height } };
    case "video":
      return { kind, body: { fileId, width: meta.width, height: meta.height, durationMs: meta.durationMs } };
    case "voice":
      return { kind, body: { fileId, durationMs: meta.durationMs! } };
    case "file":
      return { kind, body: { fileId } };
  }
}
