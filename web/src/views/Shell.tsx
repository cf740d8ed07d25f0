// The signed-in screen: the sidebar (conversations, friends, groups) beside the open chat on a
// wide window; on a phone one of the two at a time (the chat when one is open).
import { useEffect } from "preact/hooks";
import { appState } from "../state/app-state.js";
import { openConversation, markReadIfLooking } from "../state/conversations.js";
import { useStore } from "../state/store.js";
import { ChatView } from "./ChatView.js";
import { Sidebar } from "./Sidebar.js";
import { Icon } from "./ui/Icon.js";

export function Shell() {
  const activeId = useStore(appState, (s) => s.activeId);
  const listed = useStore(appState, (s) => (activeId ? s.conversations.some((c) => c.id === activeId) : false));
  const live = useStore(appState, (s) => s.status === "live");

  useEffect(() => {
    if (activeId && listed) void openConversation(activeId);
  }, [activeId, listed]);

  useEffect(() => {
    // Coming back to the window: what is on screen now counts as read.
    const onVisible = () => {
      const id = appState.get().activeId;
      if (id) markReadIfLooking(id);
    };
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("focus", onVisible);
    return () => {
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("focus", onVisible);
    };
  }, []);

  return (
    <div class="shell" data-chat-open={activeId ? "true" : "false"}>
      <Sidebar />
      <main class="chat-pane">
        {activeId && listed ? (
          <ChatView key={activeId} conversationId={activeId} />
        ) : (
          <div class="empty-chat">
            <Icon name="chat" size={48} />
            <p>{!activeId ? "Pick a conversation, or start one from Friends or Groups." : live ? "This conversation is not available." : "Loading conversation…"}</p>
          </div>
        )}
      </main>
    </div>
  );
}
