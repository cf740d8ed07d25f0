// The edge-im client SDK: typed HTTP API, real time over the edge WebSocket or Socket.IO,
// and the sync algorithm of docs/PROTOCOL.md. Runs in browsers, Node 22+ and Workers; every
// wire type comes from protocol/, and nothing here imports server-side code.
export { EdgeImApi, type EdgeImApiOptions } from "./api/edge-im-api.js";
export { EdgeImAdmin, type EdgeImAdminOptions } from "./api/admin.js";
export type { FriendTarget } from "./api/friends.js";
export type { SendInput } from "./api/messages.js";
export type { UploadOptions } from "./api/files.js";
export { ApiError, isTransient, type ApiErrorCode, type ApiIssue, type ClientErrorCode } from "./http/api-error.js";
export type { SessionView } from "./http/session.js";
export { LocalStorageTokenStore, MemoryTokenStore, type StoredSession, type StringStorage, type TokenStore } from "./http/token-store.js";
export { ChatClient, type ChatClientOptions, type ChatEvent, type ChatEventMap, type TransportOption } from "./chat-client.js";
export type { ConnectionStatus } from "./realtime/connection-loop.js";
export { backoffDelay, type BackoffOptions } from "./realtime/backoff.js";
export { edgeTransport } from "./realtime/edge-transport.js";
export { socketIoTransport } from "./realtime/socket-io-transport.js";
export type { Connection, ConnectionHandlers, Disconnect, Transport } from "./realtime/transport.js";
export type { RecalledEvent } from "./sync/conversation-sync.js";
export { MemoryStore, type LocalStore, type StoredConversation } from "./sync/local-store.js";
export { newClientMsgId } from "./ids.js";
