// Tables only: the SQL that creates them lives in migrations/ (shared with wrangler).
import { sqliteTable, text, integer, primaryKey } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  username: text("username").notNull(),
  passwordHash: text("password_hash").notNull(),
  displayName: text("display_name").notNull(),
  avatar: text("avatar"),
  bio: text("bio"),
  /** Who may add me to a group without an invitation (migrations/0007_consent.sql). */
  groupAddPolicy: text("group_add_policy", { enum: ["friends", "anyone"] }).notNull().default("friends"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  /** When an administrator disabled the account; null = active (migrations/0011_admin.sql). */
  disabledAt: integer("disabled_at"),
});

export const sessions = sqliteTable("sessions", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  deviceId: text("device_id").notNull(),
  refreshTokenHash: text("refresh_token_hash").notNull(),
  /** The hash the last rotation replaced: presenting it again means the token was stolen. */
  previousRefreshTokenHash: text("previous_refresh_token_hash"),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  revokedAt: integer("revoked_at"),
});

export const loginFailures = sqliteTable("login_failures", {
  username: text("username").notNull(),
  /** The client's address (CF-Connecting-IP), "" when unknown. */
  client: text("client").notNull(),
  failedAt: integer("failed_at").notNull(),
});

export const friendRequests = sqliteTable("friend_requests", {
  id: text("id").primaryKey(),
  fromUserId: text("from_user_id").notNull(),
  toUserId: text("to_user_id").notNull(),
  message: text("message").notNull(),
  status: text("status", { enum: ["pending", "accepted", "declined"] }).notNull(),
  createdAt: integer("created_at").notNull(),
  respondedAt: integer("responded_at"),
});

export const friendships = sqliteTable(
  "friendships",
  {
    userId: text("user_id").notNull(),
    friendId: text("friend_id").notNull(),
    remark: text("remark").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.friendId] })],
);

export const groups = sqliteTable("groups", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  avatar: text("avatar"),
  announcement: text("announcement").notNull(),
  joinPolicy: text("join_policy", { enum: ["open", "invite"] }).notNull(),
  ownerId: text("owner_id").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const groupMembers = sqliteTable(
  "group_members",
  {
    groupId: text("group_id").notNull(),
    userId: text("user_id").notNull(),
    role: text("role", { enum: ["owner", "admin", "member"] }).notNull(),
    nickname: text("nickname").notNull(),
    remark: text("remark").notNull(),
    joinedAt: integer("joined_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] })],
);

/**
 * A conversation and the directory entry for its messages: `messageDb` is the index in
 * MESSAGE_DATABASES of the database holding its messages and read positions, fixed at
 * creation (migrations/0012_message_databases.sql; those tables: message-schema.ts).
 */
export const conversations = sqliteTable("conversations", {
  id: text("id").primaryKey(),
  kind: text("kind", { enum: ["direct", "group"] }).notNull(),
  groupId: text("group_id"),
  createdAt: integer("created_at").notNull(),
  messageDb: integer("message_db").notNull(),
});

export const conversationMembers = sqliteTable(
  "conversation_members",
  {
    conversationId: text("conversation_id").notNull(),
    userId: text("user_id").notNull(),
    joinedAt: integer("joined_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] })],
);

export const files = sqliteTable("files", {
  id: text("id").primaryKey(),
  uploaderId: text("uploader_id").notNull(),
  kind: text("kind").notNull(),
  name: text("name").notNull(),
  mime: text("mime").notNull(),
  size: integer("size").notNull(),
  createdAt: integer("created_at").notNull(),
  /** When it was first sent in a message; null = never sent (migrations/0008_files_first_shared.sql). */
  firstSharedAt: integer("first_shared_at"),
});

export const fileShares = sqliteTable(
  "file_shares",
  {
    fileId: text("file_id").notNull(),
    conversationId: text("conversation_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.conversationId] })],
);

/** Online users, per gateway (migrations/0002_presence.sql). */
export const presence = sqliteTable(
  "presence",
  {
    userId: text("user_id").notNull(),
    gateway: text("gateway").notNull(),
    since: integer("since").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.gateway] })],
);

/** Until when a core gateway's presence rows count (migrations/0009_gateway_leases.sql). */
export const gatewayLeases = sqliteTable("gateway_leases", {
  gateway: text("gateway").primaryKey(),
  expiresAt: integer("expires_at").notNull(),
});

/** One-sided blocks: `blockerId` blocked `blockedId` (migrations/0007_consent.sql). */
export const blocks = sqliteTable(
  "blocks",
  {
    blockerId: text("blocker_id").notNull(),
    blockedId: text("blocked_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.blockerId, t.blockedId] })],
);

/** Pending invitations to a group, for users whose consent an add needs. */
export const groupInvitations = sqliteTable("group_invitations", {
  id: text("id").primaryKey(),
  groupId: text("group_id").notNull(),
  userId: text("user_id").notNull(),
  inviterId: text("inviter_id").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** Notices an administrator posted to everyone (migrations/0011_admin.sql). */
export const notices = sqliteTable("notices", {
  id: text("id").primaryKey(),
  text: text("text").notNull(),
  createdAt: integer("created_at").notNull(),
});
