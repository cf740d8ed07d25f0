// One message: a bubble (mine on the right), its time, the read receipt under my newest 1:1
// message, and "Recall" while I may still recall it. System messages are a centred line.
import type { MediaBody, Message, SystemEvent } from "../../../protocol/index.js";
import { appState } from "../state/app-state.js";
import { refreshMessages } from "../state/conversations.js";
import { attempt } from "../state/errors.js";
import { systemText } from "../state/message-text.js";
import { session } from "../state/session-handle.js";
import { useStore } from "../state/store.js";
import { userName } from "../state/users.js";
import { MediaContent } from "./MediaContent.js";
import { clock } from "./ui/format.js";

interface Props {
  message: Message;
  mine: boolean;
  groupId: string | undefined;
  showSender: boolean;
  receipt: "Read" | "Sent" | undefined;
  recallable: boolean;
  /** The last of a run of messages from one sender: it shows the time (the others on hover or focus). */
  runEnd: boolean;
}

export function MessageItem({ message, mine, groupId, showSender, receipt, recallable, runEnd }: Props) {
  const state = useStore(appState, (s) => s);
  if (message.kind === "system") {
    return (
      <li class="system-line">
        <span>{systemText(state, message.body as SystemEvent, groupId)}</span>
      </li>
    );
  }
  const sender = userName(state, message.senderId, groupId);
  const recalled = message.recalledAt !== null;

  async function recall() {
    await attempt(async () => {
      await session.api().messages.recall(message.id);
      refreshMessages(message.conversationId);
    });
  }

  return (
    <li class={`message${mine ? " mine" : ""}${runEnd ? " run-end" : ""}`} aria-label={mine ? "You" : sender} data-seq={message.seq}>
      {showSender && <span class="sender">{sender}</span>}
      <div class={recalled ? "bubble recalled" : `bubble kind-${message.kind}`}>
        {recalled ? (
          <p class="text">{mine ? "You recalled a message" : "Message recalled"}</p>
        ) : message.kind === "text" ? (
          <p class="text">{(message.body as { text: string }).text}</p>
        ) : (
          <MediaContent kind={message.kind} body={message.body as MediaBody} />
        )}
      </div>
      <div class="meta">
        <time dateTime={new Date(message.createdAt).toISOString()}>{clock(message.createdAt)}</time>
        {receipt && <span class={`receipt ${receipt.toLowerCase()}`}>{receipt}</span>}
        {recallable && (
          <button type="button" class="link small" aria-label="Recall message" onClick={recall}>
            Recall
          </button>
        )}
      </div>
    </li>
  );
}
