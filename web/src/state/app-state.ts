// Everything the views render, in one store. The SDK (client/) holds the connection and the
// message cache; this mirrors what the screen needs, updated from its events (live-events.ts).
import type {
  ClientConfig,
  ConversationSummary,
  Friend,
  FriendRequest,
  GroupInvitation,
  GroupMember,
  GroupView,
  Me,
  Message,
  MessageKind,
  PublicUser,
} from "../../../protocol/index.js";
import type { TransportChoice } from "../app/preferences.js";
import { createStore } from "./store.js";

export type ConnectionStatus = "connecting" | "syncing" | "live" | "offline" | "replaced" | "closed";
export type Tab = "chats" | "friends" | "groups";

/** A send not yet stored: shown greyed until the server answers, with upload progress for media. */
export interface PendingSend {
  localId: string;
  conversationId: string;
  kind: Exclude<MessageKind, "system">;
  /** What the bubble shows meanwhile: the text, or the file's name. */
  preview: string;
  /** 0..1 while a file uploads; null once it is uploaded (or for text). */
  progress: number | null;
  failed: string | null;
  retry: () => void;
}

export interface Notice {
  id: number;
  text: string;
  tone: "info" | "error";
}

export interface AppState {
  phase: "restoring" | "signed-out" | "signed-in";
  me: Me | null;
  status: ConnectionStatus;
  transport: TransportChoice;
  config: ClientConfig;
  tab: Tab;
  /** The open conversation (from the address: #/c/<id>), or null. */
  activeId: string | null;
  conversations: ConversationSummary[];
  /** Per conversation: the stored messages the SDK holds, ascending seq. */
  messages: Record<string, Message[]>;
  /** Per conversation: older history exists on the server (false once the first message is held). */
  hasOlder: Record<string, boolean>;
  pending: PendingSend[];
  friends: Friend[];
  incoming: FriendRequest[];
  outgoing: FriendRequest[];
  groups: GroupView[];
  /** Group invitations waiting for my answer (from users I have not allowed to add me). */
  invitations: GroupInvitation[];
  /** Per group id, once its member list was loaded. */
  members: Record<string, GroupMember[]>;
  /** Everyone the client has met, for names in system messages and group chats. */
  users: Record<string, PublicUser>;
  presence: Record<string, boolean>;
  /** Per conversation: user id -> until when (ms) they count as typing. */
  typing: Record<string, Record<string, number>>;
  /** Per 1:1 conversation: the highest seq the peer has read (from `read` receipts). */
  peerRead: Record<string, number>;
  notices: Notice[];
}

export const DEFAULT_RECALL_WINDOW_SECONDS = 120;

export const appState = createStore<AppState>({
  phase: "restoring",
  transport: { kind: "edge" },
  config: { socketIoUrl: null, recallWindowSeconds: DEFAULT_RECALL_WINDOW_SECONDS },
  tab: "chats",
  activeId: null,
  notices: [],
  ...noUser(),
});

/** What a signed-out screen keeps: the settings, nothing of the last user. */
export function clearUserState(): void {
  appState.set(noUser());
}

/** Everything that belongs to the signed-in user, empty. */
function noUser() {
  return {
    me: null,
    status: "closed",
    conversations: [],
    messages: {},
    hasOlder: {},
    pending: [],
    friends: [],
    incoming: [],
    outgoing: [],
    groups: [],
    invitations: [],
    members: {},
    users: {},
    presence: {},
    typing: {},
    peerRead: {},
  } satisfies Partial<AppState>;
}

let noticeId = 0;
/** A short message in the corner (announced to screen readers); errors stay longer. */
export function notify(text: string, tone: Notice["tone"] = "info"): void {
  const notice = { id: ++noticeId, text, tone };
  appState.set((s) => ({ notices: [...s.notices.slice(-2), notice] }));
  setTimeout(() => dismissNotice(notice.id), tone === "error" ? 8000 : 4000);
}

export function dismissNotice(id: number): void {
  appState.set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}
