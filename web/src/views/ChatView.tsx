// One conversation: who it is with (presence or typing), the messages, the composer.
import { useEffect, useState } from "preact/hooks";
import { closeConversationRoute } from "../app/router.js";
import { appState } from "../state/app-state.js";
import { conversationTitle, findConversation } from "../state/conversations.js";
import { attempt } from "../state/errors.js";
import { loadMembers } from "../state/groups.js";
import { useStore } from "../state/store.js";
import { userName } from "../state/users.js";
import { Composer } from "./Composer.js";
import { FriendDialog } from "./FriendDialog.js";
import { GroupDialog } from "./GroupDialog.js";
import { MessageList } from "./MessageList.js";
import { Avatar } from "./ui/Avatar.js";
import { Icon } from "./ui/Icon.js";

export function ChatView({ conversationId }: { conversationId: string }) {
  const state = useStore(appState, (s) => s);
  const [details, setDetails] = useState(false);
  const conversation = findConversation(state, conversationId)!;
  const groupId = conversation.group?.id;
  const group = groupId ? state.groups.find((g) => g.id === groupId) : undefined;
  const peerId = conversation.peer?.id;
  const isFriend = peerId ? state.friends.some((f) => f.user.id === peerId) : false;
  const title = conversationTitle(state, conversation);
  const typingIds = Object.keys(state.typing[conversationId] ?? {});

  useEffect(() => {
    // Group chats name their senders by nickname: the member list has them.
    if (groupId && !appState.get().members[groupId]) void attempt(() => loadMembers(groupId));
  }, [groupId]);

  const online = peerId ? (state.presence[peerId] ?? conversation.peer?.online ?? false) : undefined;
  const status = group ? `${group.memberCount} ${group.memberCount === 1 ? "member" : "members"}` : online ? "Online" : "Offline";
  const typingNames = typingIds.map((id) => userName(state, id, groupId));
  const typingLine = typingNames.length === 0 ? "" : `${typingNames.join(", ")} ${typingNames.length === 1 ? "is" : "are"} typing…`;

  return (
    <section class="chat" aria-labelledby="chat-title">
      <header class="chat-head">
        <button type="button" class="icon-button back" aria-label="Back to conversations" onClick={closeConversationRoute}>
          <Icon name="back" />
        </button>
        <Avatar name={title} group={!!group} online={online} />
        <div class="chat-title">
          <h2 id="chat-title">{title}</h2>
          <p class={typingLine ? "chat-status typing" : "chat-status"}>{typingLine ? "typing…" : status}</p>
        </div>
        {(group || isFriend) && (
          <button type="button" class="icon-button" aria-label={group ? "Group details" : "Friend details"} onClick={() => setDetails(true)}>
            <Icon name={group ? "group" : "info"} />
          </button>
        )}
      </header>
      {group?.announcement && (
        <p class="announcement-bar">
          <strong>Announcement</strong> {group.announcement}
        </p>
      )}
      <MessageList conversation={conversation} />
      <p class="typing-indicator" aria-live="polite">
        {typingLine}
      </p>
      <Composer conversation={conversation} />
      {details && group && <GroupDialog groupId={group.id} onClose={() => setDetails(false)} />}
      {details && !group && peerId && <FriendDialog userId={peerId} onClose={() => setDetails(false)} />}
    </section>
  );
}
