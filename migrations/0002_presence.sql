-- Who is connected right now, one row per (user, gateway). The edge's rows (gateway 'edge')
-- are written by the user's Durable Object when its first socket opens and deleted when
-- its last socket closes (worker/user-hub/edge-presence.ts). A user is online while any
-- row exists; GET /api/friends reads it for the `online` flag (worker/db/presence.ts).
CREATE TABLE presence (
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  gateway TEXT NOT NULL,
  since   INTEGER NOT NULL,
  PRIMARY KEY (user_id, gateway)
) WITHOUT ROWID;
