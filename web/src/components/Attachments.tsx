// Files attached to a message: images as previews (sized before they load, so the list does not
// jump), everything else as a download chip. The bytes come from /api/uploads/{id}, which checks
// access on every request.
import { fileSize } from "../format.ts";
import type { Upload } from "../types.ts";
import { Icon } from "./Icon.tsx";

/** Attachments are typed loosely on the wire: accept an upload or `{upload}`. */
export function uploadsOf(attachments: unknown[] | undefined): Upload[] {
  const out: Upload[] = [];
  for (const a of attachments ?? []) {
    const u = (a && typeof a === "object" && "upload" in a ? (a as { upload: unknown }).upload : a) as Partial<Upload> | null;
    if (u && typeof u.id === "string") out.push({ filename: "file", content_type: "application/octet-stream", byte_size: 0, workspace_id: "", ...u } as Upload);
  }
  return out;
}

const MAX_W = 360;
const MAX_H = 260;

function previewSize(u: Upload): { width: number; height: number } | null {
  if (!u.width || !u.height) return null;
  const scale = Math.min(1, MAX_W / u.width, MAX_H / u.height);
  return { width: Math.round(u.width * scale), height: Math.round(u.height * scale) };
}

export function Attachments({ attachments }: { attachments: unknown[] | undefined }) {
  const uploads = uploadsOf(attachments);
  if (uploads.length === 0) return null;
  return (
    <div class="attachments">
      {uploads.map((u) => {
        const href = `/api/uploads/${encodeURIComponent(u.id)}`;
        if (u.content_type.startsWith("image/")) {
          const size = previewSize(u);
          return (
            <a class="attachment-image" href={href} target="_blank" rel="noopener noreferrer" title={u.filename}>
              <img src={href} alt={u.filename} loading="lazy" width={size?.width} height={size?.height} style={size ? undefined : { maxWidth: `${MAX_W}px`, maxHeight: `${MAX_H}px` }} />
            </a>
          );
        }
        return (
          <a class="attachment-file" href={href} target="_blank" rel="noopener noreferrer" download={u.filename}>
            <Icon name="file" />
            <span class="attachment-name">{u.filename}</span>
            {u.byte_size > 0 && <span class="attachment-size">{fileSize(u.byte_size)}</span>}
          </a>
        );
      })}
    </div>
  );
}
