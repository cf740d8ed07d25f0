import type { z } from "zod";
import {
  CreateGroupResponse,
  GroupInvitationList,
  GroupList,
  GroupMemberList,
  GroupMemberResponse,
  GroupResponse,
  InviteResponse,
  Ok,
  type CreateGroupBody,
  type UpdateGroupBody,
  type UpdateMyMembershipBody,
} from "../../protocol/index.js";
import { seg, type HttpClient } from "../http/http-client.js";

export function groupsApi(http: HttpClient) {
  const group = (groupId: string, rest = "") => `/api/groups/${seg(groupId)}${rest}`;
  const view = async (method: "GET" | "POST" | "PATCH" | "DELETE", path: string, json?: unknown) =>
    (await http.json(method, path, GroupResponse, { json })).group;
  const ok = async (method: "POST" | "DELETE", path: string): Promise<void> => void (await http.json(method, path, Ok));
  return {
    /** The new group, and who was added and who invited instead (their groupAddPolicy). */
    create: (body: z.input<typeof CreateGroupBody>) => http.json("POST", "/api/groups", CreateGroupResponse, { json: body }),
    /** The groups I am a member of, newest membership first. */
    list: async () => (await http.json("GET", "/api/groups", GroupList)).groups,
    get: (groupId: string) => view("GET", group(groupId)),
    update: (groupId: string, body: z.input<typeof UpdateGroupBody>) => view("PATCH", group(groupId), body),
    dismiss: (groupId: string) => ok("DELETE", group(groupId)),
    join: (groupId: string) => view("POST", group(groupId, "/join")),
    leave: (groupId: string) => ok("POST", group(groupId, "/leave")),
    members: async (groupId: string) => (await http.json("GET", group(groupId, "/members"), GroupMemberList)).members,
    /** Adds users (already-members are skipped): who was added, who invited instead, and the group after. */
    invite: (groupId: string, userIds: string[]) => http.json("POST", group(groupId, "/members"), InviteResponse, { json: { userIds } }),
    kick: (groupId: string, userId: string) => view("DELETE", group(groupId, `/members/${seg(userId)}`)),
    /** My nickname (everyone sees it) and my private remark for the group. */
    updateMe: (groupId: string, body: z.input<typeof UpdateMyMembershipBody>) => view("PATCH", group(groupId, "/members/me"), body),
    transferOwner: (groupId: string, userId: string) => view("POST", group(groupId, "/owner"), { userId }),
    /** My pending invitations to groups, newest first. */
    invitations: async () => (await http.json("GET", "/api/groups/invitations", GroupInvitationList)).invitations,
    /** Accepts an invitation: the group I am now a member of. */
    acceptInvitation: (invitationId: string) => view("POST", `/api/groups/invitations/${seg(invitationId)}/accept`),
    declineInvitation: (invitationId: string) => ok("POST", `/api/groups/invitations/${seg(invitationId)}/decline`),
    setAdmin: async (groupId: string, userId: string, isAdmin: boolean) =>
      (await http.json(isAdmin ? "PUT" : "DELETE", group(groupId, `/admins/${seg(userId)}`), GroupMemberResponse)).member,
  };
}
