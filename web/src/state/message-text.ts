// Messages in words: list previews, system events ("Ann added Bob"), recalled messages.
import type { MediaBody, Message, SystemEvent } from "../../../protocol/index.js";
import type { AppState } from "./app-state.js";
import { userName } from "./users.js";

export function isRecalled(message: Message): boolean {
  return message.recalledAt !== null;
}

export function systemText(state: AppState, event: SystemEvent, groupId?: string): string {
  // "You" opens a sentence; inside one it is "you".
  const name = (id: string | null, opening = true) => {
    const text = id ? userName(state, id, groupId) : "Someone";
    return !opening && id === state.me?.id ? "you" : text;
  };
  switch (event.event) {
    case "group_created":
      return `${name(event.by)} created the group “${event.name}”`;
    case "member_joined": {
      const added = event.by && !event.userIds.includes(event.by);
      const who = event.userIds.map((id, i) => name(id, !added && i === 0)).join(", ");
      return added ? `${name(event.by)} added ${who}` : `${who} joined`;
    }
    case "member_left":
      return `${name(event.userId)} left`;
    case "member_kicked":
      return `${name(event.by)} removed ${name(event.userId, false)}`;
    case "group_renamed":
      return `${name(event.by)} renamed the group to “${event.name}”`;
    case "announcement_changed":
      return event.announcement ? `${name(event.by)} changed the announcement: ${event.announcement}` : `${name(event.by)} cleared the announcement`;
    case "group_updated":
      return `${name(event.by)} changed the group's ${event.fields.join(" and ")}`;
    case "owner_changed":
      return `${name(event.ownerId)} is now the owner`;
    case "admin_changed":
      return event.admin
        ? `${name(event.by)} made ${name(event.userId, false)} an admin`
        : `${name(event.by)} removed ${name(event.userId, false)} as admin`;
    case "group_dismissed":
      return event.by ? `${name(event.by)} dismissed the group` : "An administrator dismissed the group";
    case "message_recalled":
      return `${name(event.by)} recalled a message`;
    case "notice":
      return `Notice: ${event.text}`;
  }
}

/** One line for the conversation list. */
export function previewText(state: AppState, message: Message, groupId?: string): string {
  if (isRecalled(message)) return "Message recalled";
  const media = message.body as MediaBody;
  switch (message.kind) {
    case "text":
      return (message.body as { text: string }).text;
    case "image":
      return media.caption ? `Photo: ${media.caption}` : "Photo";
    case "video":
      return media.caption ? `Video: ${media.caption}` : "Video";
    case "voice":
      return "Voice message";
    case "file":
      return `File: ${media.name}`;
    case "system":
      return systemText(state, message.body as SystemEvent, groupId);
  }
}
