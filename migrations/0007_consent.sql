-- Consent: who may reach me. A block is one-sided (blocker -> blocked); every check reads
-- both directions. The blocked user is never told (docs/API.md, "Blocks").
CREATE TABLE blocks (
  blocker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  blocked_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (blocker_id, blocked_id)
) WITHOUT ROWID;
-- "has anyone blocked me" (the reverse direction of every check)
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id, blocker_id);

-- Who may add me to a group without asking: 'friends' (default) or 'anyone'. Anyone else's
-- add becomes a group invitation I accept or decline.
ALTER TABLE users ADD COLUMN group_add_policy TEXT NOT NULL DEFAULT 'friends'
  CHECK (group_add_policy IN ('friends', 'anyone'));

-- Pending group invitations: at most one per (group, invitee); gone when the group, the
-- invitee or the inviter is.
CREATE TABLE group_invitations (
  id         TEXT PRIMARY KEY,
  group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  inviter_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX group_invitations_group_user_uq ON group_invitations (group_id, user_id);
-- my invitations, newest first
CREATE INDEX group_invitations_user_idx ON group_invitations (user_id, created_at);
