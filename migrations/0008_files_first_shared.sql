-- When an upload was first sent in a message. Uploads never sent (NULL) are removed by the
-- Worker's scheduled clean-up once FILE_UNSENT_GRACE_SECONDS have passed (worker/files/).
ALTER TABLE files ADD COLUMN first_shared_at INTEGER;
UPDATE files SET first_shared_at = created_at WHERE id IN (SELECT file_id FROM file_shares);
-- The clean-up's scan: only unsent uploads, oldest first.
CREATE INDEX IF NOT EXISTS files_unsent_by_age ON files (created_at) WHERE first_shared_at IS NULL;
