import type { GroupRole } from "../../protocol/index.js";
import type { GroupMemberRow } from "../db/group-members.js";
import { forbidden } from "../http/api-error.js";

// The role rules of a group, in one place. Refusals are 403s that name the role needed.

const MANAGERS: readonly GroupRole[] = ["owner", "admin"];

/** Update the group's profile, kick plain members. */
export function requireManager(membership: GroupMemberRow, action: string): void {
  if (!MANAGERS.includes(membership.role)) throw forbidden(`only the owner or an admin can ${action}`);
}

/** Dismiss, transfer ownership, promote and demote admins, kick admins. */
export function requireOwner(membership: GroupMemberRow, action: string): void {
  if (membership.role !== "owner") throw forbidden(`only the owner can ${action}`);
}

/**
 * May `actor` kick `target`? The owner kicks anyone but themselves; an admin kicks plain
 * members only; a plain member kicks no one.
 */
export function requireMayKick(actor: GroupMemberRow, target: GroupMemberRow): void {
  if (actor.userId === target.userId) throw forbidden("you cannot kick yourself: leave the group instead");
  if (target.role === "owner") throw forbidden("the owner cannot be kicked");
  if (target.role === "admin") requireOwner(actor, "kick an admin");
  else requireManager(actor, "kick members");
}
