// My conversations, newest first: who, the last message and its time, unread badges.
import { openConversationRoute } from "../app/router.js";
import { appState } from "../state/app-state.js";
import { conversationTitle } from "../state/conversations.js";
import { previewText } from "../state/message-text.js";
import { useStore } from "../state/store.js";
import { Avatar } from "./ui/Avatar.js";
import { listTime } from "./ui/format.js";

export function ConversationList() {
  const state = useStore(appState, (s) => s);
  const { conversations, activeId } = state;

  if (conversations.length === 0) {
    return <p class="empty">No conversations yet. Add a friend or create a group to start one.</p>;
  }
  return (
    <ul class="list" aria-label="Conversations">
      {conversations.map((c) => {
        const title = conversationTitle(state, c);
        const preview = c.lastMessage ? previewText(state, c.lastMessage, c.group?.id) : c.kind === "direct" ? "Say hello" : "";
        const typing = Object.keys(state.typing[c.id] ?? {}).length > 0;
        return (
          <li key={c.id}>
            <a
              href={`#/c/${encodeURIComponent(c.id)}`}
              class="row"
              aria-current={c.id === activeId ? "page" : undefined}
              aria-label={c.unread > 0 ? `${title}, ${c.unread} unread` : title}
              aria-describedby={`preview-${c.id}`}
              onClick={(event) => {
                event.preventDefault();
                openConversationRoute(c.id);
              }}
            >
              <Avatar name={title} group={c.kind === "group"} online={c.peer ? (state.presence[c.peer.id] ?? c.peer.online ?? false) : undefined} />
              <span class="row-main">
                <span class="row-top">
                  <span class="row-title">{title}</span>
                  {c.lastMessage && <time class="row-time">{listTime(c.lastMessage.createdAt)}</time>}
                </span>
                <span class="row-bottom">
                  <span class={typing ? "row-preview typing" : "row-preview"} id={`preview-${c.id}`}>
                    {typing ? "typing…" : preview}
                  </span>
                  {c.unread > 0 && (
                    <span class="badge" aria-hidden="true">
                      {c.unread > 99 ? "99+" : c.unread}
                    </span>
                  )}
                </span>
              </span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}
