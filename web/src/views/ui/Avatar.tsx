// Initials on a colour picked from the name, with an optional presence dot. The dot's state is
// also said in words (visually hidden) so it is not colour alone.
interface Props {
  name: string;
  online?: boolean;
  group?: boolean;
  size?: "small" | "normal";
}

export function Avatar({ name, online, group, size = "normal" }: Props) {
  const initials = name.trim().split(/\s+/).slice(0, 2).map((w) => [...w][0]?.toUpperCase() ?? "").join("") || "?";
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return (
    <span class={`avatar ${size}${group ? " group" : ""}`} style={{ "--hue": String(hash % 360) }} aria-hidden={online === undefined ? "true" : undefined}>
      <span aria-hidden="true">{initials}</span>
      {online !== undefined && (
        <span class={online ? "presence online" : "presence"}>
          <span class="visually-hidden">{online ? "online" : "offline"}</span>
        </span>
      )}
    </span>
  );
}
