// The signed calls the Worker accepted, shared by all of its isolates (which share no
// memory): a bridge -> Worker call replayed within its window is refused whichever isolate
// it reaches. Sixteen Durable Objects, each holding the signatures that start with one hex
// digit, so no single object takes every internal call.
import { DurableObject } from "cloudflare:workers";
import type { SeenSignatures } from "../../server-auth/signing.js";
import type { Env } from "../env.js";

export class SignatureLedger extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS seen (signature TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)`);
    ctx.storage.sql.exec(`CREATE INDEX IF NOT EXISTS seen_by_expiry ON seen (expires_at)`);
  }

  /** Records `signature` until `expiresAt`; false if it is recorded and still fresh. */
  claim(signature: string, expiresAt: number): boolean {
    const now = Date.now();
    // One object runs one call at a time: the look-up and the write cannot interleave.
    this.ctx.storage.sql.exec(`DELETE FROM seen WHERE expires_at < ?`, now);
    const known = this.ctx.storage.sql.exec(`SELECT 1 FROM seen WHERE signature = ?`, signature).toArray();
    if (known.length > 0) return false;
    this.ctx.storage.sql.exec(`INSERT INTO seen (signature, expires_at) VALUES (?, ?)`, signature, expiresAt);
    return true;
  }
}

/** SeenSignatures for the Worker: the ledger object named by the signature's first hex digit. */
export function signatureLedger(env: Env): SeenSignatures {
  const namespace = env.SIGNATURE_LEDGER as unknown as DurableObjectNamespace<SignatureLedger>;
  return {
    firstSeen: (signature, expiresAt) => namespace.get(namespace.idFromName(`shard-${signature.slice(0, 1)}`)).claim(signature, expiresAt),
  };
}
