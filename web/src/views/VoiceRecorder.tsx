// Record a voice message with the microphone (MediaRecorder); stop sends it. Hidden where the
// browser cannot record.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ConversationSummary } from "../../../protocol/index.js";
import { notify } from "../state/app-state.js";
import { sendFile } from "../state/send.js";
import { Icon } from "./ui/Icon.js";
import { duration } from "./ui/format.js";

const canRecord = typeof MediaRecorder !== "undefined" && !!navigator.mediaDevices?.getUserMedia;
/** The longest voice message the server takes is an hour; a few minutes is plenty here. */
const MAX_RECORDING_MS = 5 * 60_000;

export function VoiceRecorder({ conversation }: { conversation: ConversationSummary }) {
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  const recorder = useRef<MediaRecorder | null>(null);

  useEffect(() => {
    if (startedAt === null) return;
    const timer = setInterval(() => {
      setNow(Date.now());
      if (Date.now() - startedAt > MAX_RECORDING_MS) recorder.current?.stop();
    }, 250);
    return () => clearInterval(timer);
  }, [startedAt]);

  // Leaving the conversation mid-recording throws the recording away.
  useEffect(() => () => recorder.current?.stream.getTracks().forEach((t) => t.stop()), []);

  if (!canRecord) return null;

  async function start() {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const chunks: Blob[] = [];
      const rec = new MediaRecorder(stream);
      const began = Date.now();
      rec.ondataavailable = (e) => chunks.push(e.data);
      rec.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        recorder.current = null;
        setStartedAt(null);
        const elapsed = Date.now() - began;
        if (elapsed < 500 || chunks.length === 0) return;
        const type = rec.mimeType || "audio/webm";
        const extension = type.includes("ogg") ? "ogg" : type.includes("mp4") ? "m4a" : "webm";
        const file = new File(chunks, `voice-${new Date(began).toISOString().replace(/[:.]/g, "-")}.${extension}`, { type });
        sendFile(conversation, file, { durationMs: elapsed });
      };
      recorder.current = rec;
      rec.start();
      setStartedAt(began);
      setNow(began);
    } catch {
      notify("The microphone is not available.", "error");
    }
  }

  if (startedAt === null) {
    return (
      <button type="button" class="icon-button" aria-label="Record voice message" onClick={start}>
        <Icon name="mic" />
      </button>
    );
  }
  return (
    <button type="button" class="icon-button recording" aria-label="Stop recording and send" onClick={() => recorder.current?.stop()}>
      <Icon name="stop" />
      <span class="recording-time">{duration(now - startedAt)}</span>
    </button>
  );
}
