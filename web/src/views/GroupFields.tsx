// A group's name and announcement, as the new-group dialog and the group's own profile
// form both ask for them.
interface Props {
  name: string;
  announcement: string;
  onName: (name: string) => void;
  onAnnouncement: (announcement: string) => void;
  /** Rows of the announcement box. */
  rows: number;
  announcementPlaceholder?: string;
}

export function GroupFields({ name, announcement, onName, onAnnouncement, rows, announcementPlaceholder }: Props) {
  return (
    <>
      <label class="field">
        <span>Group name</span>
        <input required maxLength={64} value={name} onInput={(e) => onName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Announcement</span>
        <textarea rows={rows} maxLength={2000} placeholder={announcementPlaceholder} value={announcement} onInput={(e) => onAnnouncement(e.currentTarget.value)} />
      </label>
    </>
  );
}
