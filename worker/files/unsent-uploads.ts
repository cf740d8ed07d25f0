// Uploads that were never sent in a message are removed once FILE_UNSENT_GRACE_SECONDS
// have passed since the upload (run by the Worker's cron trigger, worker/index.ts). The
// rows go first, so nobody can read a file whose bytes are being deleted; R2 objects whose
// delete fails are only logged (unreachable without their row).
import { database } from "../db/client.js";
import { deleteUnsentFiles, fileObjectKey } from "../db/files.js";
import { numberVar, type Env } from "../env.js";

export const DEFAULT_FILE_UNSENT_GRACE_SECONDS = 24 * 60 * 60;
/** Rows per statement; R2's delete takes up to 1,000 keys per call. */
const BATCH = 500;
/** Bounds one run's work; what is left waits for the next run. */
const MAX_BATCHES_PER_RUN = 20;

/** Deletes the expired unsent uploads (rows and bytes). Returns how many were removed. */
export async function removeUnsentUploads(env: Env, now = Date.now()): Promise<number> {
  const graceMs = numberVar(env.FILE_UNSENT_GRACE_SECONDS, DEFAULT_FILE_UNSENT_GRACE_SECONDS) * 1000;
  const db = database(env.DB);
  let removed = 0;
  for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
    const ids = await deleteUnsentFiles(db, now - graceMs, BATCH);
    if (ids.length === 0) break;
    removed += ids.length;
    try {
      await env.FILES.delete(ids.map(fileObjectKey));
    } catch (error) {
      console.warn(`unsent uploads: ${ids.length} rows removed, their R2 objects not:`, error);
    }
    if (ids.length < BATCH) break;
  }
  if (removed > 0) console.log(`unsent uploads: removed ${removed}`);
  return removed;
}
