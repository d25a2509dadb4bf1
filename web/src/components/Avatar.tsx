// A user's picture, or their initials on a colour of their own when there is none (or it fails).
import { useState } from "preact/hooks";
import { hue, initials } from "../format.ts";
import type { User } from "../types.ts";

export function Avatar({ user, id, size = 36 }: { user: User | undefined; id: string; size?: number }) {
  const [broken, setBroken] = useState(false);
  const name = user?.display_name ?? "?";
  const style = { width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.38)}px`, "--avatar-hue": String(hue(id)) };
  if (user?.avatar_url && !broken) {
    return <img class="avatar" src={user.avatar_url} alt="" style={style} onError={() => setBroken(true)} referrerpolicy="no-referrer" />;
  }
  return (
    <span class={`avatar avatar-initials${user?.kind === "bot" ? " avatar-bot" : ""}`} style={style} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
