// The messages of one conversation, oldest at the top. Scrolling to the top (or the "Load older
// messages" button, for keyboards) pages history in without moving what is on screen; a new
// message scrolls down only when the reader was already at the bottom, or sent it.
import { Fragment } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ConversationSummary, SystemEvent } from "../../../protocol/index.js";
import { appState } from "../state/app-state.js";
import { loadOlder } from "../state/conversations.js";
import { attempt } from "../state/errors.js";
import { useStore } from "../state/store.js";
import { MessageItem } from "./MessageItem.js";
import { PendingItem } from "./PendingItem.js";
import { dayLabel } from "./ui/format.js";

const NEAR_EDGE_PX = 80;
const RUN_GAP_MS = 5 * 60_000;
/** Where the reader was before the last change (ChatView is keyed by conversation: one per chat). */
const FRESH = { firstSeq: 0, lastSeq: 0, height: 0, top: 0, atBottom: true, count: 0, pendingCount: 0 };

export function MessageList({ conversation }: { conversation: ConversationSummary }) {
  const id = conversation.id;
  const messages = useStore(appState, (s) => s.messages[id]);
  const hasOlder = useStore(appState, (s) => s.hasOlder[id] ?? false);
  const allPending = useStore(appState, (s) => s.pending);
  const peerRead = useStore(appState, (s) => s.peerRead[id] ?? 0);
  const myId = useStore(appState, (s) => s.me?.id);
  const myRole = useStore(appState, (s) => (conversation.group ? s.groups.find((g) => g.id === conversation.group!.id)?.me?.role : undefined));
  const recallWindowMs = useStore(appState, (s) => s.config.recallWindowSeconds * 1000);
  const pending = allPending.filter((p) => p.conversationId === id);
  const now = useNow(10_000);

  const scroller = useRef<HTMLDivElement>(null);
  const before = useRef(FRESH);

  // Before the DOM changes, remember where the reader is.
  const list = messages ?? [];
  const firstSeq = list[0]?.seq ?? 0;
  const element = scroller.current;
  if (element) {
    before.current = {
      ...before.current,
      height: element.scrollHeight,
      top: element.scrollTop,
      atBottom: element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_EDGE_PX,
    };
  }

  const last = list[list.length - 1];
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const prev = before.current;
    const lastSeq = last?.seq ?? 0;
    if (prev.count > 0 && firstSeq < prev.firstSeq) {
      // Older messages came in above: keep the same message under the reader's eyes.
      el.scrollTop = el.scrollHeight - prev.height + prev.top;
    } else if (
      prev.count === 0 ||
      (lastSeq > prev.lastSeq && (prev.atBottom || last?.senderId === myId)) ||
      pending.length > prev.pendingCount
    ) {
      // The first page, something new while the reader was at the bottom, or my own send.
      el.scrollTop = el.scrollHeight;
    }
    before.current = { ...before.current, firstSeq, lastSeq, count: list.length, pendingCount: pending.length };
  }, [list, pending.length]);

  // Media finishing loading makes the list taller: a reader at the bottom stays there.
  const content = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = scroller.current;
    if (!el || !content.current || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (pinned.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(content.current);
    return () => observer.disconnect();
  }, []);

  const older = () => void attempt(() => loadOlder(id));
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_EDGE_PX;
    if (el.scrollTop < NEAR_EDGE_PX && hasOlder) older();
  };

  // The read receipt goes under my newest message (1:1 only: groups send no receipts).
  const myLast = conversation.kind === "direct" ? findLast(list, (m) => m.senderId === myId && m.kind !== "system" && m.recalledAt === null) : undefined;
  const canManage = myRole === "owner" || myRole === "admin";

  return (
    <div class="messages" ref={scroller} onScroll={onScroll} role="log" aria-label="Messages" tabIndex={0}>
      {hasOlder && (
        <button type="button" class="link load-older" onClick={older}>
          Load older messages
        </button>
      )}
      {!messages && conversation.lastSeq > 0 && <p class="muted center">Loading messages…</p>}
      {messages && list.length === 0 && pending.length === 0 && <p class="muted center">No messages yet. Say hello!</p>}
      <ol class="message-list" ref={content}>
        {list.map((message, index) => {
          if (message.kind === "system" && (message.body as SystemEvent).event === "message_recalled") return null; // the recalled message says it
          const previous = list[index - 1];
          const newDay = !previous || new Date(previous.createdAt).toDateString() !== new Date(message.createdAt).toDateString();
          const mine = message.senderId === myId;
          const next = list[index + 1];
          // Messages of one sender within a few minutes form a run; only its last shows the time.
          const runEnd =
            !next ||
            next.senderId !== message.senderId ||
            next.createdAt - message.createdAt > RUN_GAP_MS ||
            new Date(next.createdAt).toDateString() !== new Date(message.createdAt).toDateString();
          const recallable =
            message.kind !== "system" && message.recalledAt === null && ((mine && now - message.createdAt < recallWindowMs) || canManage);
          return (
            <Fragment key={message.id}>
              {newDay && (
                <li class="day">
                  <span>{dayLabel(message.createdAt)}</span>
                </li>
              )}
              <MessageItem
                message={message}
                mine={mine}
                groupId={conversation.group?.id}
                showSender={!!conversation.group && !mine && (previous?.senderId !== message.senderId || newDay)}
                receipt={message === myLast ? (peerRead >= message.seq ? "Read" : "Sent") : undefined}
                recallable={recallable}
                runEnd={runEnd}
              />
            </Fragment>
          );
        })}
        {pending.map((p) => (
          <PendingItem key={p.localId} pending={p} />
        ))}
      </ol>
    </div>
  );
}

function findLast<T>(items: T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return items[i];
  return undefined;
}

/** The time, refreshed every `everyMs` (recall buttons disappear when their window closes). */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

