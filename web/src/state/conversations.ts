// The conversation list and the messages of each conversation, mirrored from the SDK: the SDK
// stores and syncs (it holds every message exactly once), this keeps the list ordered, the
// unread badges right between syncs, and the read position moving while the user looks.
import type { ConversationSummary, Message, Recipient } from "../../../protocol/index.js";
import { appState, type AppState } from "./app-state.js";
import { session } from "./session-handle.js";
import { rememberUsers, userName } from "./users.js";

/** How many older messages one scroll to the top loads. */
const OLDER_PAGE = 30;

export function setConversations(list: ConversationSummary[]): void {
  rememberUsers(list.map((c) => c.peer));
  appState.set({ conversations: newestFirst(list) });
  // The server's receipt position (1:1), so "Read" survives a reload; live `read` pushes move it on.
  for (const c of list) if (c.peerReadSeq !== null) applyPeerRead(c.id, c.peerReadSeq);
}

function newestFirst(list: ConversationSummary[]): ConversationSummary[] {
  return [...list].sort((a, b) => b.updatedAt - a.updatedAt);
}

function updateConversation(id: string, change: (c: ConversationSummary) => ConversationSummary): void {
  appState.set((s) => ({
    conversations: newestFirst(s.conversations.map((c) => (c.id === id ? change(c) : c))),
  }));
}

export function findConversation(state: AppState, id: string | null): ConversationSummary | undefined {
  return id === null ? undefined : state.conversations.find((c) => c.id === id);
}

export function conversationTitle(state: AppState, conversation: ConversationSummary): string {
  if (conversation.group) {
    const remark = state.groups.find((g) => g.id === conversation.group!.id)?.me?.remark;
    return remark || conversation.group.name;
  }
  return conversation.peer ? userName(state, conversation.peer.id) : "Conversation";
}

export function recipientOf(conversation: ConversationSummary): Recipient {
  if (conversation.group) return { groupId: conversation.group.id };
  return { userId: conversation.peer!.id };
}

/** Counts toward unread: from someone else, not a system message, not recalled. */
function countsAsUnread(message: Message, myId: string | undefined): boolean {
  return message.senderId !== myId && message.kind !== "system" && message.recalledAt === null;
}

/** The SDK's messages of one conversation into the store (a fresh copy each time: views re-render). */
export function refreshMessages(conversationId: string): void {
  const chat = session.chat();
  if (!chat) return;
  const list = chat.messages(conversationId);
  appState.set((s) => {
    // Seqs start at 1 with no gaps: anything held from a later seq has older history before it.
    const older = list.length > 0 ? list[0]!.seq > 1 : (findConversation(s, conversationId)?.lastSeq ?? 0) > 0;
    return { messages: { ...s.messages, [conversationId]: list }, hasOlder: { ...s.hasOlder, [conversationId]: older } };
  });
}

/** A stored message arrived (push, sync or my own acked send). */
export function applyMessage(message: Message): void {
  refreshMessages(message.conversationId);
  const state = appState.get();
  const conversation = findConversation(state, message.conversationId);
  if (!conversation) {
    // A conversation this client has not listed yet (a new friend, a new group): list again.
    void session.chat()?.sync();
    return;
  }
  // Already counted by the last list sync (the SDK also replays held messages on sync).
  if (message.seq <= conversation.lastSeq) {
    markReadIfLooking(message.conversationId);
    return;
  }
  updateConversation(message.conversationId, (c) => ({
    ...c,
    lastSeq: Math.max(c.lastSeq, message.seq),
    lastMessage: message,
    updatedAt: Math.max(c.updatedAt, message.createdAt),
    unread: message.seq > c.readSeq && countsAsUnread(message, state.me?.id) ? c.unread + 1 : c.unread,
  }));
  markReadIfLooking(message.conversationId);
}

export function applyRecall(conversationId: string, messageId: string): void {
  refreshMessages(conversationId);
  const recalled = appState.get().messages[conversationId]?.find((m) => m.id === messageId);
  updateConversation(conversationId, (c) =>
    c.lastMessage?.id === messageId ? { ...c, lastMessage: recalled ?? { ...c.lastMessage, body: {}, recalledAt: Date.now() } } : c,
  );
}

/** My read position moved (this device or another of mine). */
export function applyMyRead(conversationId: string, seq: number): void {
  const state = appState.get();
  const held = state.messages[conversationId] ?? [];
  updateConversation(conversationId, (c) => {
    if (seq <= c.readSeq) return c;
    const unreadHeld = held.filter((m) => m.seq > seq && countsAsUnread(m, state.me?.id)).length;
    // Exact when every message after `seq` is held; otherwise no more than what is left.
    const coversRest = held.length > 0 && held[0]!.seq <= seq + 1 && held[held.length - 1]!.seq >= c.lastSeq;
    const unread = seq >= c.lastSeq ? 0 : coversRest ? unreadHeld : Math.min(c.unread, c.lastSeq - seq);
    return { ...c, readSeq: seq, unread };
  });
}

export function applyPeerRead(conversationId: string, seq: number): void {
  appState.set((s) => (seq > (s.peerRead[conversationId] ?? 0) ? { peerRead: { ...s.peerRead, [conversationId]: seq } } : {}));
}

/** Marks the open conversation read up to its newest message, while the page is visible. */
export function markReadIfLooking(conversationId: string): void {
  const state = appState.get();
  const conversation = findConversation(state, conversationId);
  if (!conversation || state.activeId !== conversationId || document.visibilityState !== "visible") return;
  if (conversation.readSeq >= conversation.lastSeq) return;
  session.chat()?.markRead(conversationId, conversation.lastSeq).catch(() => undefined);
  applyMyRead(conversationId, conversation.lastSeq);
}

/** Opening a conversation: show what the SDK holds, and fetch the newest page if it holds none. */
export async function openConversation(conversationId: string): Promise<void> {
  refreshMessages(conversationId);
  const state = appState.get();
  const conversation = findConversation(state, conversationId);
  if ((state.messages[conversationId]?.length ?? 0) === 0 && (conversation?.lastSeq ?? 0) > 0) {
    await loadOlder(conversationId);
  }
  markReadIfLooking(conversationId);
}

const loading = new Set<string>();
/** One page of older history; resolves false when there is nothing older. */
export async function loadOlder(conversationId: string): Promise<boolean> {
  const chat = session.chat();
  if (!chat || loading.has(conversationId) || !appState.get().hasOlder[conversationId]) return false;
  loading.add(conversationId);
  try {
    await chat.loadOlder(conversationId, OLDER_PAGE);
    refreshMessages(conversationId);
    return true;
  } finally {
    loading.delete(conversationId);
  }
}

export function removeConversation(conversationId: string): void {
  appState.set((s) => ({ conversations: s.conversations.filter((c) => c.id !== conversationId) }));
}

/** The 1:1 conversation with a friend, if it is listed. */
export function directConversationWith(state: AppState, userId: string): ConversationSummary | undefined {
  return state.conversations.find((c) => c.kind === "direct" && c.peer?.id === userId);
}
