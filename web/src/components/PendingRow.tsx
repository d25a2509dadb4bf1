// A message you sent that the server has not confirmed yet. It looks like the real thing, dimmed,
// with its state: sending, waiting for the network (it will go out by itself), or failed.
import { discard, retry, type Pending } from "../state/outbox.ts";
import { currentUser } from "../session.ts";
import { Avatar } from "./Avatar.tsx";
import { showToast } from "../state/ui.ts";
import { MessageBody } from "./MessageBody.tsx";

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    showToast("Copied");
  } catch {
    showToast("Could not copy", "error");
  }
}

const LABEL = { sending: "Sending…", waiting: "Not sent yet: waiting for the connection", failed: "Not sent" } as const;

export function PendingRow({ pending, compact }: { pending: Pending; compact: boolean }) {
  const me = currentUser();
  return (
    <article class={`msg pending status-${pending.status}${compact ? " compact" : ""}`} data-nonce={pending.nonce} aria-busy={pending.status === "sending"}>
      <div class="msg-gutter">{!compact && me && <Avatar id={me.id} user={me} />}</div>
      <div class="msg-main">
        {!compact && (
          <header class="msg-header">
            <span class="msg-author">{me?.display_name ?? "You"}</span>
          </header>
        )}
        <div class="msg-content">
          <MessageBody body={pending.body} />
        </div>
        {pending.attachmentName && <div class="attachment-file pending-file">{pending.attachmentName}</div>}
        <div class="pending-status" role="status">
          <span>{pending.status === "failed" && pending.error ? `${LABEL.failed}: ${pending.error}` : LABEL[pending.status]}</span>
          {pending.status !== "sending" && (
            <>
              {pending.refused ? (
                <button type="button" class="linkish" onClick={() => void copyText(pending.body)}>
                  Copy text
                </button>
              ) : (
                <button type="button" class="linkish" onClick={() => retry(pending.nonce)}>
                  Retry now
                </button>
              )}
              <button type="button" class="linkish" onClick={() => discard(pending.nonce)}>
                Discard
              </button>
            </>
          )}
        </div>
      </div>
    </article>
  );
}
