// Groups I am in and their member lists: loaded after every (re)connect, kept current by
// group.* events; every action answers with the new state, which replaces the old.
import type { CreateGroupBody, Group, GroupInvitation, GroupView } from "../../../protocol/index.js";
import { appState, notify } from "./app-state.js";
import { removeConversation } from "./conversations.js";
import { session } from "./session-handle.js";
import { rememberUsers } from "./users.js";

type Membership = NonNullable<GroupView["me"]>;

export async function loadGroups(): Promise<void> {
  appState.set({ groups: await session.api().groups.list() });
}

export function upsertGroup(group: GroupView): void {
  appState.set((s) => ({ groups: [...s.groups.filter((g) => g.id !== group.id), group].sort((a, b) => a.name.localeCompare(b.name)) }));
}

/** group.updated carries the shared Group, and `me` only when my own membership changed. */
export function applyGroupUpdate(group: Group, me: Membership | undefined): void {
  const old = appState.get().groups.find((g) => g.id === group.id);
  upsertGroup({ ...group, me: me ?? old?.me ?? null });
  if (appState.get().members[group.id]) void loadMembers(group.id);
}

export function forgetGroup(groupId: string): void {
  appState.set((s) => {
    const { [groupId]: _gone, ...members } = s.members;
    return { groups: s.groups.filter((g) => g.id !== groupId), members };
  });
  removeConversation(`g:${groupId}`);
}

export async function loadMembers(groupId: string): Promise<void> {
  const members = await session.api().groups.members(groupId);
  rememberUsers(members.map((m) => m.user));
  appState.set((s) => ({ members: { ...s.members, [groupId]: members } }));
}

export async function createGroup(body: CreateGroupBody): Promise<GroupView> {
  // Members who need to consent (their groupAddPolicy) are invited, not added: `invited`.
  const { group, invited } = await session.api().groups.create(body);
  upsertGroup(group);
  if (invited.length > 0) notify(invitedNotice(invited.length));
  void session.chat()?.sync();
  return group;
}

/** Name and announcement (owner and admins). */
export async function updateGroup(groupId: string, body: { name?: string; announcement?: string }): Promise<void> {
  upsertGroup(await session.api().groups.update(groupId, body));
}

export async function setMyNickname(groupId: string, nickname: string): Promise<void> {
  upsertGroup(await session.api().groups.updateMe(groupId, { nickname }));
  await loadMembers(groupId);
}

export async function invite(groupId: string, userIds: string[]): Promise<void> {
  const { group, invited } = await session.api().groups.invite(groupId, userIds);
  upsertGroup(group);
  if (invited.length > 0) notify(invitedNotice(invited.length));
  await loadMembers(groupId);
}

const invitedNotice = (n: number) =>
  n === 1 ? "1 person was invited: they join once they accept" : `${n} people were invited: they join once they accept`;

/** Group invitations waiting for my answer, newest first. */
export async function loadInvitations(): Promise<void> {
  const invitations = await session.api().groups.invitations();
  rememberUsers(invitations.map((i) => i.inviter));
  appState.set({ invitations });
}

export function addInvitation(invitation: GroupInvitation): void {
  rememberUsers([invitation.inviter]);
  appState.set((s) => ({ invitations: [invitation, ...s.invitations.filter((i) => i.id !== invitation.id)] }));
}

function dropInvitation(invitationId: string): void {
  appState.set((s) => ({ invitations: s.invitations.filter((i) => i.id !== invitationId) }));
}

export async function acceptInvitation(invitation: GroupInvitation): Promise<void> {
  const group = await session.api().groups.acceptInvitation(invitation.id);
  dropInvitation(invitation.id);
  upsertGroup(group);
  void session.chat()?.sync();
}

export async function declineInvitation(invitation: GroupInvitation): Promise<void> {
  await session.api().groups.declineInvitation(invitation.id);
  dropInvitation(invitation.id);
}

export async function kick(groupId: string, userId: string): Promise<void> {
  upsertGroup(await session.api().groups.kick(groupId, userId));
  await loadMembers(groupId);
}

export async function setAdmin(groupId: string, userId: string, admin: boolean): Promise<void> {
  await session.api().groups.setAdmin(groupId, userId, admin);
  await loadMembers(groupId);
}

export async function transferOwner(groupId: string, userId: string): Promise<void> {
  upsertGroup(await session.api().groups.transferOwner(groupId, userId));
  await loadMembers(groupId);
}

export async function leaveGroup(groupId: string): Promise<void> {
  await session.api().groups.leave(groupId);
  forgetGroup(groupId);
}

export async function dismissGroup(groupId: string): Promise<void> {
  await session.api().groups.dismiss(groupId);
  forgetGroup(groupId);
}
