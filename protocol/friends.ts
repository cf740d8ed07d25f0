import * as z from "zod";
import { Id, Line, Timestamp } from "./common.js";
import { PublicUser, Username } from "./users.js";

export const FriendRequestStatus = z.enum(["pending", "accepted", "declined"]);

/** Name the other user by id or by username (exactly one). */
export const SendFriendRequestBody = z.union([
  z.object({ userId: Id, message: Line(200).optional() }).strict(),
  z.object({ username: Username, message: Line(200).optional() }).strict(),
]);
export type SendFriendRequestBody = z.infer<typeof SendFriendRequestBody>;

export const FriendRequest = z.object({
  id: Id,
  from: PublicUser,
  to: PublicUser,
  message: z.string(),
  status: FriendRequestStatus,
  createdAt: Timestamp,
  respondedAt: Timestamp.nullable(),
});
export type FriendRequest = z.infer<typeof FriendRequest>;

export const FriendRequestResponse = z.object({ request: FriendRequest });
export const FriendRequestListQuery = z.object({
  direction: z.enum(["incoming", "outgoing"]).default("incoming"),
  status: FriendRequestStatus.default("pending"),
});
export const FriendRequestList = z.object({ requests: z.array(FriendRequest) });

export const Friend = z.object({
  user: PublicUser,
  /** My private name for this friend (empty when unset). */
  remark: z.string(),
  since: Timestamp,
});
export type Friend = z.infer<typeof Friend>;

export const FriendResponse = z.object({ friend: Friend });
export const FriendList = z.object({ friends: z.array(Friend) });
export const UpdateFriendBody = z.object({ remark: Line(64) }).strict();
export type UpdateFriendBody = z.infer<typeof UpdateFriendBody>;
