// The chat client's events, applied to the store. Pushes are a fast path: after every
// (re)connect the lists are loaded again, so whatever was missed while offline shows up.
import type { ChatClient } from "../../../client/index.js";
import type { ServerEvent } from "../../../protocol/index.js";
import { appState, notify } from "./app-state.js";
import { applyMessage, applyMyRead, applyPeerRead, applyRecall, refreshMessages, removeConversation, setConversations } from "./conversations.js";
import { addRequest, dropRequest, loadFriends, upsertFriend } from "./friends.js";
import { addInvitation, applyGroupUpdate, forgetGroup, loadGroups, loadInvitations, upsertGroup } from "./groups.js";
import { attempt } from "./errors.js";
import { applyTyping, stopTyping } from "./typing.js";

export function bindLiveEvents(chat: ChatClient): () => void {
  const unsubscribe = [
    chat.on("status", (status) => {
      appState.set({ status });
      if (status === "live") void attempt(reloadLists);
    }),
    chat.on("conversations", (list) => setConversations(list)),
    chat.on("message", (message) => {
      stopTyping(message.conversationId, message.senderId);
      applyMessage(message);
    }),
    chat.on("recalled", (event) => applyRecall(event.conversationId, event.messageId)),
    chat.on("read", (event) => {
      if (event.userId === appState.get().me?.id) applyMyRead(event.conversationId, event.seq);
      else applyPeerRead(event.conversationId, event.seq);
    }),
    chat.on("typing", (event) => applyTyping(event.conversationId, event.userId)),
    chat.on("presence", (event) => appState.set((s) => ({ presence: { ...s.presence, [event.userId]: event.online } }))),
    chat.on("event", applyServerEvent),
    // Background failures (a refused read or typing frame, a sync the client will retry).
    chat.on("error", (error) => console.warn("edge-im:", error.message)),
  ];
  return () => unsubscribe.forEach((off) => off());
}

async function reloadLists(): Promise<void> {
  await Promise.all([loadFriends(), loadGroups(), loadInvitations()]);
  // Messages held before a reconnect may have been recalled meanwhile: show the SDK's view.
  for (const conversationId of Object.keys(appState.get().messages)) refreshMessages(conversationId);
}

// The new conversation of an accepted friend or a joined group comes with the SDK's next list sync.
function applyServerEvent(event: ServerEvent): void {
  const state = appState.get();
  switch (event.type) {
    case "friend.request":
      addRequest(event.request);
      if (event.request.to.id === state.me?.id) notify(`${event.request.from.displayName} sent you a friend request`);
      break;
    case "friend.accepted":
      dropRequest(event.requestId);
      upsertFriend(event.friend);
      // The pushed friend says nothing of presence: the list does.
      void attempt(loadFriends);
      notify(`You and ${event.friend.user.displayName} are now friends`);
      break;
    case "friend.declined":
      dropRequest(event.requestId);
      break;
    case "friend.removed":
      appState.set((s) => ({ friends: s.friends.filter((f) => f.user.id !== event.userId) }));
      break;
    case "friend.updated":
      upsertFriend(event.friend);
      break;
    case "group.joined":
      upsertGroup(event.group);
      break;
    case "group.invited":
      addInvitation(event.invitation);
      notify(`${event.invitation.inviter.displayName} invited you to ${event.invitation.group.name}`);
      break;
    case "group.updated":
      applyGroupUpdate(event.group, event.me);
      break;
    case "group.removed": {
      const name = state.groups.find((g) => g.id === event.groupId)?.name ?? "a group";
      forgetGroup(event.groupId);
      removeConversation(`g:${event.groupId}`);
      if (event.reason === "kicked") notify(`You were removed from ${name}`);
      if (event.reason === "dismissed") notify(`${name} was dismissed`);
      break;
    }
    default:
      // message.*, read, typing and presence come through their own SDK events;
      // conversation.updated makes the SDK sync.
      break;
  }
}
