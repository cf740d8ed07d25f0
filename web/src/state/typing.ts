// "… is typing": a `typing` event shows it for a few seconds (the sender repeats it at most
// every 3 s while typing); a message from that person ends it at once.
import { appState } from "./app-state.js";
import { session } from "./session-handle.js";

const SHOW_MS = 5000;

export function applyTyping(conversationId: string, userId: string): void {
  if (userId === appState.get().me?.id) return;
  setTyping(conversationId, userId, Date.now() + SHOW_MS);
  setTimeout(() => {
    const until = appState.get().typing[conversationId]?.[userId] ?? 0;
    if (until <= Date.now()) setTyping(conversationId, userId, null);
  }, SHOW_MS + 50);
}

export function stopTyping(conversationId: string, userId: string): void {
  if (appState.get().typing[conversationId]?.[userId]) setTyping(conversationId, userId, null);
}

function setTyping(conversationId: string, userId: string, until: number | null): void {
  appState.set((s) => {
    const { [userId]: _old, ...others } = s.typing[conversationId] ?? {};
    return { typing: { ...s.typing, [conversationId]: until === null ? others : { ...others, [userId]: until } } };
  });
}

/** Called on every keystroke; the chat client sends at most one per conversation every 3 s. */
export function reportTyping(conversationId: string): void {
  session.chat()?.typing(conversationId).catch(() => undefined);
}
