-- A core gateway's presence rows count only while its lease runs (docs/PROTOCOL.md 7.4).
-- A node renews its lease every PRESENCE_LEASE_RENEW_MS (protocol/bridge.ts); a node that
-- stops without its `gone` report (killed, or stopped together with the Worker) lets it
-- lapse, and its users go offline without anyone reporting them. The edge ('edge') has no
-- lease: the Durable Objects record and re-check their own rows.
CREATE TABLE gateway_leases (
  gateway    TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
