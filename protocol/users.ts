import * as z from "zod";
import { Id, Line, Timestamp, WebUrl } from "./common.js";

export const Username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, '_', '.' and '-' only");

/** What anyone signed in may see of a user. */
export const PublicUser = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  avatar: z.string().nullable(),
  bio: z.string().nullable(),
  /** True while the user has at least one connected device (edge or core). */
  online: z.boolean().optional(),
});
export type PublicUser = z.infer<typeof PublicUser>;

/** Who may add me to a group without asking: my friends (default), or anyone. */
export const GroupAddPolicy = z.enum(["friends", "anyone"]);
export type GroupAddPolicy = z.infer<typeof GroupAddPolicy>;

/** What a user sees of themselves. */
export const Me = PublicUser.extend({ createdAt: Timestamp, groupAddPolicy: GroupAddPolicy });
export type Me = z.infer<typeof Me>;

export const UpdateMeBody = z
  .object({
    displayName: Line(64).min(1),
    avatar: WebUrl.nullable(),
    bio: Line(280).nullable(),
    groupAddPolicy: GroupAddPolicy,
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "nothing to update");
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;

export const UserResponse = z.object({ user: PublicUser });
export const MeResponse = z.object({ user: Me });
export const UserLookupQuery = z.object({ username: Username });
