// Deleting a channel (owners): first what goes with it (messages, threads, pins, files), or why it
// cannot go (the last public channel, #guest); then the delete itself.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { navigate } from "../routes.ts";
import { findChannel, refreshChannels } from "../state/directory.ts";
import { dialog, showToast } from "../state/ui.ts";
import type { ChannelDeletePreview } from "../types.ts";
import { Modal } from "./Modal.tsx";
import { useSubmit } from "./useSubmit.ts";

const close = () => (dialog.value = null);
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

export function bytes(n: number): string {
  if (n < 1024) return plural(n, "byte");
  const units = ["KB", "MB", "GB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function DeleteChannel({ channelId }: { channelId: string }) {
  const channel = findChannel(channelId);
  const [preview, setPreview] = useState<ChannelDeletePreview | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    api.channelDeletePreview(channelId).then((r) => setPreview(r.delete_preview), (err: Error) => setFailed(err.message));
  }, [channelId]);
  const { submit, busy, error } = useSubmit(async () => {
    if (!channel) return;
    await api.deleteChannel(channelId);
    close();
    await refreshChannels(channel.workspace_id);
    navigate("/app");
    showToast(`#${channel.name} deleted`);
  });
  const name = channel?.name ?? preview?.name ?? "channel";
  return (
    <Modal label={`Delete #${name}?`} onClose={close} class="confirm delete-preview">
      <form onSubmit={submit}>
        <h2 class="modal-title">Delete #{name}?</h2>
        {!preview && !failed && <p class="modal-text">Counting what goes with it…</p>}
        {failed && <p class="field-error" role="alert">{failed}</p>}
        {preview && (
          <>
            <p class="modal-text">This cannot be undone. Going with it:</p>
            <ul class="preview-counts" aria-label="What is deleted">
              <li>{plural(preview.messages, "message")}, {plural(preview.replies, "reply", "replies")} among them</li>
              <li>{plural(preview.threads, "thread")}</li>
              <li>{plural(preview.pins, "pin")}</li>
              <li>{plural(preview.uploads, "file")} ({bytes(preview.upload_bytes)})</li>
            </ul>
            {preview.blockers.map((b) => (
              <p class="field-error" role="alert">
                {b.code === "last_channel" ? "This is the last public channel: a workspace keeps at least one." : b.code === "channel_name_reserved" ? "#guest is where guests talk: it cannot be deleted." : b.message}
              </p>
            ))}
          </>
        )}
        {error && <p class="field-error" role="alert">{error}</p>}
        <div class="modal-actions">
          <button type="button" class="button" onClick={close}>
            Cancel
          </button>
          {preview?.can_delete && (
            <button type="submit" class="button danger" aria-disabled={busy}>
              Delete channel
            </button>
          )}
        </div>
      </form>
    </Modal>
  );
}
