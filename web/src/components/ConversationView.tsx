// One channel or DM: header, the message list, who is typing, and the composer. It opens the
// timeline at the right place (latest, first unread, or a linked message), moves the read pointer
// while you are at the bottom, and accepts dropped files.
import { useComputed } from "@preact/signals";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api.ts";
import { conversationPath, navigate } from "../routes.ts";
import { canManageChannels, noteRead, refreshChannels } from "../state/directory.ts";
import { outbox, pendingFor } from "../state/outbox.ts";
import { reloadEpoch } from "../state/sync.ts";
import { channelSeq, timelineFor } from "../state/timeline.ts";
import { highlight, showToast } from "../state/ui.ts";
import { fullTime } from "../format.ts";
import { stageFiles } from "../state/uploads.ts";
import type { Channel, DirectConversation, User } from "../types.ts";
import { Composer } from "./Composer.tsx";
import { ConversationHeader } from "./ConversationHeader.tsx";
import { Icon } from "./Icon.tsx";
import { MessageList } from "./MessageList.tsx";
import type { RowContext } from "./MessageRow.tsx";
import { TypingIndicator } from "./TypingIndicator.tsx";
import { CommandNotes } from "./CommandNotes.tsx";

interface Props {
  me: User;
  channel?: Channel;
  dm?: DirectConversation;
  messageId: string | null;
  /** In an embed (Embed.tsx): the list alone, read-only, and it does not move your read pointer. */
  embedded?: boolean;
}

function Intro({ channel, dm, loading, hasOlder }: { channel?: Channel; dm?: DirectConversation; loading: boolean; hasOlder: boolean }) {
  if (loading) return <div class="list-status">Loading earlier messages…</div>;
  if (hasOlder) return <div class="list-status" />;
  return (
    <div class="conv-intro">
      <div class="conv-intro-icon" aria-hidden="true">
        <Icon name={channel?.private ? "lock" : channel ? "hash" : "message"} size={26} />
      </div>
      <h2>{channel ? `Welcome to #${channel.name}` : "The start of your conversation"}</h2>
      <p>{channel ? (channel.display_title ?? (channel.private ? "This is the very beginning of this private channel: only its members can see it." : "This is the very beginning of the channel.")) : `Only the ${dm?.members.length ?? 2} of you can see this conversation.`}</p>
    </div>
  );
}

/** In place of the composer: an archived channel is read-only; a manager may bring it back. */
function ArchivedBanner({ channel }: { channel: Channel }) {
  const unarchive = async () => {
    try {
      await api.updateChannel(channel.id, { archived: false });
      await refreshChannels(channel.workspace_id);
    } catch (err) {
      showToast(`Could not unarchive: ${(err as Error).message}`, "error");
    }
  };
  return (
    <div class="archived-banner" role="status">
      <span>
        <strong>#{channel.name} is archived</strong>
        {channel.archived_at && <> since {fullTime(channel.archived_at)}</>}. You can read it, but nobody can post here.
      </span>
      {canManageChannels.value && (
        <button type="button" class="button" onClick={() => void unarchive()}>
          Unarchive
        </button>
      )}
    </div>
  );
}

export function ConversationView({ me, channel, dm, messageId, embedded = false }: Props) {
  const scope = channel ? { kind: "channel" as const, id: channel.id, workspaceId: channel.workspace_id } : { kind: "dm" as const, id: dm!.id, workspaceId: dm!.workspace_id };
  const timeline = timelineFor(scope);
  const [atBottom, setAtBottom] = useState(true);
  const [dragging, setDragging] = useState(false);
  const lastRead = channel?.last_read_seq ?? dm?.last_read_seq ?? 0;
  const readSent = useRef(0);
  const composerKey = scope.id;

  // Open (or reopen after a resync) at the latest page, the first unread, or the linked message.
  useEffect(() => {
    let cancelled = false;
    readSent.current = 0;
    (async () => {
      let messageSeq: number | undefined;
      if (messageId) {
        const m = await api.message(messageId).then((r) => r.message, () => null);
        if (cancelled) return;
        if (m?.parent_message_id) {
          // A reply: show its thread, with the root in view.
          const root = await api.message(m.parent_message_id).then((r) => r.message, () => null);
          messageSeq = root?.channel_seq ?? undefined;
          navigate(conversationPath(scope.kind, scope.id, { threadId: m.parent_message_id }), { replace: true });
          highlight(m.id);
        } else if (m?.channel_seq) {
          messageSeq = m.channel_seq;
          highlight(m.id);
        }
      }
      const s = channel ?? dm!;
      await timeline.open({ messageSeq, messageId: messageId ?? undefined, lastReadSeq: s.last_read_seq, lastSeq: s.last_seq, unread: s.unread_count }).catch(() => {});
      if (!cancelled) void timeline.loadPins().catch(() => {});
    })();
    return () => {
      cancelled = true;
    };
  }, [scope.id, messageId, reloadEpoch.value]);

  const messages = timeline.messages.value;
  const hasNewer = timeline.hasNewer.value;

  // Reading: at the bottom of the live end, with the page visible, moves the read pointer. At most
  // one request per 300 ms, so a busy channel is still marked read while messages keep coming.
  const reading = useRef({ atBottom, hasNewer, lastRead, timer: undefined as ReturnType<typeof setTimeout> | undefined });
  reading.current.atBottom = atBottom;
  reading.current.hasNewer = hasNewer;
  reading.current.lastRead = lastRead;
  useEffect(() => {
    const r = reading.current;
    const send = () => {
      r.timer = undefined;
      const newest = timeline.newestSeq;
      // A page elsewhere may show the embed all day, read or not.
      if (embedded || !r.atBottom || r.hasNewer || document.visibilityState !== "visible") return;
      if (newest <= r.lastRead || newest <= readSent.current) return;
      readSent.current = newest;
      noteRead(scope.id, newest);
      void api.markRead(scope.kind, scope.id, newest).catch(() => (readSent.current = 0));
    };
    if (atBottom && !hasNewer && timeline.loading.peek() !== "initial") r.timer ??= setTimeout(send, 300);
    document.addEventListener("visibilitychange", send);
    return () => document.removeEventListener("visibilitychange", send);
  }, [messages, atBottom, hasNewer, lastRead, scope.id]);
  useEffect(() => () => clearTimeout(reading.current.timer), [scope.id]);

  const target = useMemo(() => ({ kind: scope.kind, id: scope.id }), [scope.kind, scope.id]);
  const pending = useComputed(() => pendingFor(target, outbox.value)).value;
  const canWrite = !embedded && (channel ? !channel.archived_at : (dm?.can_send ?? false));
  const ctx: RowContext = useMemo(
    () => ({ scope, meId: me.id, inThread: false, composerKey, canWrite }),
    [scope.id, me.id, canWrite],
  );
  const lastOwn = () => [...timeline.messages.peek()].reverse().find((m) => m.author_id === me.id && !m.deleted_at);
  const loading = timeline.loading.value;

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) stageFiles(composerKey, scope.workspaceId, files);
  };

  return (
    <section
      class={`conversation${dragging ? " dragging" : ""}`}
      aria-label={channel ? `#${channel.name}` : "Direct message"}
      onDragOver={(e) => {
        if (canWrite && e.dataTransfer?.types.includes("Files")) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => e.currentTarget === e.target && setDragging(false)}
      onDrop={onDrop}
    >
      {!embedded && <ConversationHeader channel={channel} dm={dm} meId={me.id} pinCount={timeline.pinned.value.size} />}
      {timeline.error.value && messages.length === 0 ? (
        <div class="empty-state">{timeline.error.value}</div>
      ) : (
        <div class="list-wrap">
          <MessageList
            key={scope.id}
            messages={messages}
            pending={pending}
            dividerSeq={timeline.dividerSeq.value}
            seqOf={channelSeq}
            pinned={timeline.pinned.value}
            ctx={ctx}
            request={timeline.focus.value}
            header={<Intro channel={channel} dm={dm} loading={loading === "older" || loading === "initial"} hasOlder={timeline.hasOlder.value} />}
            label={channel ? `Messages in #${channel.name}` : "Messages"}
            onNearTop={() => void timeline.loadOlder()}
            onNearBottom={() => void timeline.loadNewer()}
            onBottomChange={setAtBottom}
          />
          {(!atBottom || hasNewer) && messages.length > 0 && (
            <button type="button" class="jump-latest" onClick={() => void timeline.jumpToLatest()}>
              <Icon name="down" size={16} /> Jump to latest
            </button>
          )}
        </div>
      )}
      {channel && !embedded && <CommandNotes channelId={channel.id} />}
      <TypingIndicator scopeId={scope.id} />
      {embedded ? null : channel?.archived_at ? (
        <ArchivedBanner channel={channel} />
      ) : (
      <Composer
        composerKey={composerKey}
        workspaceId={scope.workspaceId}
        target={target}
        scope={{ kind: scope.kind, id: scope.id }}
        placeholder={channel ? `Message #${channel.name}` : "Write a message"}
        meId={me.id}
        disabledReason={channel?.archived_at ? "This channel is archived." : dm && !dm.can_send ? "Nobody else is left in this conversation." : null}
        lastOwnMessage={lastOwn}
        onSent={() => void timeline.jumpToLatest().catch(() => {})}
      />
      )}
      {dragging && <div class="drop-hint">Drop files to attach them</div>}
    </section>
  );
}
