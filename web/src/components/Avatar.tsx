// A user's picture, or their initials on a colour of their own when there is none (or it fails);
// with `presence`, a dot that says whether they are online or away (nothing when offline).
import { useState } from "preact/hooks";
import { hue, initials } from "../format.ts";
import { presence as presenceOf } from "../state/presence.ts";
import type { User } from "../types.ts";

export function Avatar({ user, id, size = 36, presence = false }: { user: User | undefined; id: string; size?: number; presence?: boolean }) {
  const [broken, setBroken] = useState(false);
  const name = user?.display_name ?? "?";
  const style = { width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.38)}px`, "--avatar-hue": String(hue(id)) };
  const picture =
    user?.avatar_url && !broken ? (
      <img class="avatar" src={user.avatar_url} alt="" style={style} onError={() => setBroken(true)} referrerpolicy="no-referrer" />
    ) : (
      <span class={`avatar avatar-initials${user?.kind === "bot" ? " avatar-bot" : ""}`} style={style} aria-hidden="true">
        {initials(name)}
      </span>
    );
  if (!presence) return picture;
  const status = presenceOf.value.get(id);
  return (
    <span class="avatar-with-presence">
      {picture}
      {status && (
        <span class={`presence-dot ${status}`} title={status === "online" ? "Online" : "Away"}>
          <span class="sr-only">{status === "online" ? "Online" : "Away"}</span>
        </span>
      )}
    </span>
  );
}
