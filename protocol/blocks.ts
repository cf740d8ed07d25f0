import * as z from "zod";
import { Timestamp } from "./common.js";
import { PublicUser } from "./users.js";

/** A user I blocked: they cannot reach me (docs/API.md, "Blocks") and are never told. */
export const BlockedUser = z.object({ user: PublicUser, since: Timestamp });
export type BlockedUser = z.infer<typeof BlockedUser>;

export const BlockList = z.object({ blocked: z.array(BlockedUser) });
export const BlockResponse = z.object({ blocked: BlockedUser });
