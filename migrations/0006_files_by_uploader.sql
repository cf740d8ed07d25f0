-- The storage quota (STORAGE_QUOTA_BYTES) sums one user's upload sizes on every upload:
-- an index by uploader that covers the size keeps that a short range read.
CREATE INDEX IF NOT EXISTS files_by_uploader ON files (uploader_id, size);
