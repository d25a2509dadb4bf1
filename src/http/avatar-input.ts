// What a client may say about an avatar: an upload of theirs to show (avatar_upload_id), or
// nothing (null or "" clears it). A URL is refused unless it is the avatar already stored.
import { t } from "elysia";
import { assertAvatarUpload, refuseRemoteAvatar } from "../chat/avatars.ts";
import type { Store } from "../store/store.ts";

export const AvatarFields = {
  avatar_upload_id: t.Optional(t.Union([t.String({ maxLength: 64 }), t.Null()], { description: "An image upload of yours (PNG, JPEG, GIF, WebP) to show as the avatar; null clears it" })),
  avatar_url: t.Optional(t.Union([t.String({ maxLength: 500 }), t.Null()], { description: "Only null or \"\" (clear it) or the current value: avatars are uploaded, not linked" })),
};

/** undefined: leave the avatar alone; null: clear it; a string: the upload to show. */
export async function avatarChange(
  store: Store,
  owners: string[],
  input: { avatar_upload_id?: string | null; avatar_url?: string | null },
  current: string | null,
): Promise<string | null | undefined> {
  if (input.avatar_upload_id !== undefined) {
    const id = input.avatar_upload_id?.trim();
    if (!id) return null;
    assertAvatarUpload((await store.uploads.get(id))?.upload ?? null, owners);
    return id;
  }
  if (input.avatar_url === undefined || input.avatar_url === current) return undefined;
  if (input.avatar_url === null || input.avatar_url === "") return null;
  return refuseRemoteAvatar();
}
