// Avatars are pictures the server keeps: an image upload of the person's, served at their own
// avatar address to anyone signed in. A third-party URL would report every viewer to whoever
// runs it, so none is stored any more, and one stored before is not shown (shownAvatarUrl).
import { forbidden, invalid, notFound } from "./errors.ts";

/** Raster images only: an SVG is a document that can run script. */
export const AVATAR_TYPES: ReadonlySet<string> = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** Where a person's avatar is served; `v` names the upload so a new picture is a new URL. */
export const avatarPath = (userId: string, uploadId: string) => `/api/users/${userId}/avatar?v=${uploadId}`;

/** The upload behind a person's stored avatar URL, or null for none (or an old remote URL). */
export function avatarUploadId(avatarUrl: string | null, userId: string): string | null {
  if (!avatarUrl) return null;
  const m = /^\/api\/users\/([^/?]+)\/avatar\?v=([A-Za-z0-9_]+)$/.exec(avatarUrl);
  return m && m[1] === userId ? m[2]! : null;
}

/**
 * The avatar URL clients see: ours, or none. A remote URL stored before avatars were uploaded
 * is not shown, so no viewer's client fetches from a third party; the person sees initials
 * until they upload a picture (GitHub sign-ins copy theirs at the next sign-in).
 */
export function shownAvatarUrl(avatarUrl: string | null, userId: string): string | null {
  return avatarUploadId(avatarUrl, userId) ? avatarUrl : null;
}

/** A workspace icon clients see: an upload of ours, or none (an old remote URL is not shown). */
export function shownIconUrl(iconUrl: string | null): string | null {
  return iconUrl && /^\/api\/uploads\/[A-Za-z0-9_]+$/.test(iconUrl) ? iconUrl : null;
}

/** Checks that an upload may become an avatar: ready, a raster image, owned by one of `owners`. */
export function assertAvatarUpload(upload: { owner_id: string; content_type: string } | null, owners: string[]): void {
  if (!upload) throw notFound("upload");
  if (!owners.includes(upload.owner_id)) throw forbidden("an avatar must be your own upload", "upload_not_owned");
  if (!AVATAR_TYPES.has(upload.content_type)) throw invalid("an avatar is a PNG, JPEG, GIF or WebP image", "invalid_avatar");
}

/** The answer to a client that still sends a URL. */
export function refuseRemoteAvatar(): never {
  throw invalid("avatars are uploaded, not linked: upload an image (POST /api/uploads) and give its id as avatar_upload_id", "avatar_url_not_allowed");
}
