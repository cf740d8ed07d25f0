// Writing: Enter sends, Shift+Enter breaks the line; attach files (or paste an image); record a
// voice message. Typing tells the others, at most once every 3 s.
import { useEffect, useRef, useState } from "preact/hooks";
import { MAX_TEXT_LENGTH, type ConversationSummary } from "../../../protocol/index.js";
import { sendFile, sendText } from "../state/send.js";
import { reportTyping } from "../state/typing.js";
import { Icon } from "./ui/Icon.js";
import { VoiceRecorder } from "./VoiceRecorder.js";

/** Unsent text per conversation, kept while the page lives: switching chats loses nothing. */
const drafts = new Map<string, string>();

export function Composer({ conversation }: { conversation: ConversationSummary }) {
  const [text, setTextState] = useState(drafts.get(conversation.id) ?? "");
  const setText = (value: string) => {
    drafts.set(conversation.id, value);
    setTextState(value);
  };
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // On a wide window, opening a conversation puts the cursor where one writes.
    if (window.matchMedia("(min-width: 768px)").matches) input.current?.focus();
  }, [conversation.id]);

  useEffect(() => {
    // The box grows with its text, up to a few lines (then it scrolls).
    const el = input.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  function submit(event?: Event) {
    event?.preventDefault();
    const message = text.trim();
    if (!message) return;
    sendText(conversation, message);
    setText("");
    input.current?.focus();
  }

  function sendFiles(files: Iterable<File>) {
    for (const file of files) sendFile(conversation, file);
  }

  return (
    <form class="composer" onSubmit={submit} aria-label="Write a message">
      <input
        ref={picker}
        type="file"
        multiple
        class="visually-hidden"
        tabIndex={-1}
        aria-label="File to send"
        onChange={(e) => {
          sendFiles(e.currentTarget.files ?? []);
          e.currentTarget.value = "";
        }}
      />
      <button type="button" class="icon-button" aria-label="Attach file" onClick={() => picker.current?.click()}>
        <Icon name="attach" />
      </button>
      <textarea
        ref={input}
        rows={1}
        aria-label="Message"
        placeholder="Write a message…"
        maxLength={MAX_TEXT_LENGTH}
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          if (e.currentTarget.value.trim()) reportTyping(conversation.id);
        }}
        onKeyDown={(e) => {
          // Enter sends; Shift+Enter is a new line; never while an IME is composing.
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
        }}
        onPaste={(e) => {
          const files = [...(e.clipboardData?.files ?? [])];
          if (files.length > 0) {
            e.preventDefault();
            sendFiles(files);
          }
        }}
      />
      <VoiceRecorder conversation={conversation} />
      <button type="submit" class="icon-button send" aria-label="Send" disabled={!text.trim()}>
        <Icon name="send" />
      </button>
    </form>
  );
}
