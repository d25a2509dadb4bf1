// What one person may hold, counted by the store inside the write that would add to it (so two
// writes at once cannot both see room for one more). Per person, not per workspace: a new
// workspace brings no fresh allowance.
import { forbidden, tooLarge } from "./errors.ts";

/** Refuses a new workspace to someone who already owns `maxOwned` live ones (403 workspace_limit). */
export function assertMayOwnAnother(owned: number, maxOwned: number): void {
  if (owned >= maxOwned) throw forbidden(`you already own ${owned} workspaces, the most one person may`, "workspace_limit");
}

/** Refuses an upload that would take its owner past their quota over every live workspace (413). */
export function assertUploadFits(used: { files: number; bytes: number }, bytes: number, quota: { maxFiles: number; maxBytes: number }): void {
  if (used.files + 1 > quota.maxFiles) throw tooLarge(`upload quota reached: at most ${quota.maxFiles} files per person`, "upload_quota_exceeded");
  if (used.bytes + bytes > quota.maxBytes) {
    throw tooLarge(`upload quota reached: ${used.bytes} of ${quota.maxBytes} bytes used, this upload needs up to ${bytes}`, "upload_quota_exceeded");
  }
}
