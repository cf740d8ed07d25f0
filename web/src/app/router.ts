// The open conversation lives in the address (#/c/<conversation id>), so the browser's Back
// button closes it on a phone, and a reload reopens it.
import { appState } from "../state/app-state.js";

const PREFIX = "#/c/";

function readHash(): string | null {
  return location.hash.startsWith(PREFIX) ? decodeURIComponent(location.hash.slice(PREFIX.length)) : null;
}

const sync = () => appState.set({ activeId: readHash() });

export function startRouter(): void {
  window.addEventListener("popstate", sync);
  window.addEventListener("hashchange", sync);
  sync();
}

export function openConversationRoute(conversationId: string): void {
  const hash = PREFIX + encodeURIComponent(conversationId);
  if (location.hash === hash) return;
  // Opened from the list: one history entry, which Back (or the back button) pops.
  if (readHash() === null) history.pushState({ fromList: true }, "", hash);
  else history.replaceState(history.state, "", hash);
  sync();
}

export function closeConversationRoute(): void {
  if ((history.state as { fromList?: boolean } | null)?.fromList) history.back();
  else {
    history.replaceState(null, "", location.pathname + location.search);
    sync();
  }
}
