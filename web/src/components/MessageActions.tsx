// The toolbar that appears on a message when it is hovered or focused: react, reply in a thread,
// quote, pin, copy a link, and for your own messages edit and delete.
import { useState } from "preact/hooks";
import { api } from "../api.ts";
import { conversationPath, navigate } from "../routes.ts";
import { confirming, editingId, setQuoting, showToast } from "../state/ui.ts";
import { patchEverywhere } from "../state/sync.ts";
import type { Message } from "../types.ts";
import type { RowContext } from "./MessageRow.tsx";
import { Icon, type IconName } from "./Icon.tsx";
import { ReactionPicker } from "./Reactions.tsx";

function Action({ icon, label, onClick, danger }: { icon: IconName; label: string; onClick: () => void; danger?: boolean }) {
  return (
    <button type="button" class={`action${danger ? " danger" : ""}`} aria-label={label} title={label} onClick={onClick}>
      <Icon name={icon} size={17} />
    </button>
  );
}

export function confirmDelete(message: Message): void {
  confirming.value = {
    title: "Delete message?",
    body: "It will be removed for everyone. Thread replies stay.",
    confirm: "Delete",
    action: () => {
      api.remove(message.id).then(
        ({ message: m }) => patchEverywhere(m.id, () => m),
        (err: Error) => showToast(`Could not delete: ${err.message}`, "error"),
      );
    },
  };
}

async function copyLink(ctx: RowContext, message: Message): Promise<void> {
  const url = location.origin + conversationPath(ctx.scope.kind, ctx.scope.id, { messageId: message.id });
  try {
    await navigator.clipboard.writeText(url);
    showToast("Link copied");
  } catch {
    showToast(url);
  }
}

async function togglePin(ctx: RowContext & { pinned: boolean }, message: Message): Promise<void> {
  try {
    if (ctx.pinned) await api.unpin(ctx.scope.id, message.id);
    else await api.pin(ctx.scope.id, message.id);
    showToast(ctx.pinned ? "Unpinned" : "Pinned to the channel");
  } catch (err) {
    showToast(`Could not change the pin: ${(err as Error).message}`, "error");
  }
}

export function MessageActions({ message, ctx }: { message: Message; ctx: RowContext & { pinned: boolean } }) {
  const [picking, setPicking] = useState(false);
  const mine = message.author_id === ctx.meId;
  return (
    <div class={`msg-actions${picking ? " open" : ""}`} role="toolbar" aria-label="Message actions">
      {ctx.canWrite && <Action icon="smile" label="Add reaction" onClick={() => setPicking(true)} />}
      {!ctx.inThread && ctx.canWrite && <Action icon="thread" label="Reply in thread" onClick={() => navigate(conversationPath(ctx.scope.kind, ctx.scope.id, { threadId: message.id }))} />}
      {ctx.canWrite && <Action icon="quote" label="Quote" onClick={() => setQuoting(ctx.composerKey, message)} />}
      {ctx.scope.kind === "channel" && !ctx.inThread && ctx.canWrite && <Action icon="pin" label={ctx.pinned ? "Unpin" : "Pin"} onClick={() => void togglePin(ctx, message)} />}
      <Action icon="link" label="Copy link" onClick={() => void copyLink(ctx, message)} />
      {mine && <Action icon="edit" label="Edit" onClick={() => (editingId.value = message.id)} />}
      {mine && <Action icon="trash" label="Delete" danger onClick={() => confirmDelete(message)} />}
      {picking && <ReactionPicker message={message} onDone={() => setPicking(false)} />}
    </div>
  );
}
