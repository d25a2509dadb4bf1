// A thread beside the conversation: the root message, its replies (live), and a reply composer.
import { useComputed } from "@preact/signals";
import { useMemo } from "preact/hooks";
import { plural } from "../format.ts";
import { conversationPath, navigate } from "../routes.ts";
import { outbox, pendingFor } from "../state/outbox.ts";
import type { ThreadView } from "../state/thread.ts";
import type { Scope, User } from "../types.ts";
import { Composer } from "./Composer.tsx";
import { Icon } from "./Icon.tsx";
import { MessageList } from "./MessageList.tsx";
import { MessageRow, type RowContext } from "./MessageRow.tsx";
import { TypingIndicator } from "./TypingIndicator.tsx";

const threadSeq = (m: { thread_seq?: number | null }) => m.thread_seq ?? 0;
const BOTTOM = { key: null, at: "bottom" as const, seq: 0 };
const NO_PINS: ReadonlySet<string> = new Set();

/** `embedded` (Embed.tsx): the thread alone, read-only, with no close button. */
export function ThreadPane({ view, me, scope, title, canWrite, embedded = false }: { view: ThreadView; me: User; scope: Scope; title: string; canWrite: boolean; embedded?: boolean }) {
  const root = view.root.value;
  const replies = view.messages.value;
  const composerKey = `thread:${view.rootId}`;
  const target = useMemo(() => ({ kind: "thread" as const, rootId: view.rootId, scopeId: scope.id }), [view.rootId, scope.id]);
  const pending = useComputed(() => pendingFor(target, outbox.value)).value;
  const ctx: RowContext = useMemo(() => ({ scope, meId: me.id, inThread: true, composerKey, canWrite }), [scope.id, me.id, view.rootId, canWrite]);
  const close = () => navigate(conversationPath(scope.kind, scope.id));
  const count = root?.thread_state?.reply_count ?? replies.length;

  const header = root ? (
    <div class="thread-root">
      <MessageRow message={root} compact={false} ctx={ctx} pinned={false} />
      <div class="thread-count-line" role="separator">
        <span>{count ? plural(count, "reply", "replies") : "No replies yet"}</span>
      </div>
      {view.hasOlder.value && (
        <button type="button" class="linkish load-older" onClick={() => void view.loadOlder()}>
          Show earlier replies
        </button>
      )}
    </div>
  ) : (
    <div class="list-status">{view.error.value ?? "Loading thread…"}</div>
  );

  return (
    <aside class={`side-panel thread-pane${embedded ? " embedded" : ""}`} aria-label="Thread">
      <header class="panel-header">
        <div>
          <h2>Thread</h2>
          <span class="panel-sub">{title}</span>
        </div>
        {!embedded && (
          <button type="button" class="icon-button" aria-label="Close thread" title="Close (Esc)" onClick={close}>
            <Icon name="close" />
          </button>
        )}
      </header>
      <div class="list-wrap">
        <MessageList
          key={view.rootId}
          messages={replies}
          pending={pending}
          dividerSeq={null}
          seqOf={threadSeq}
          pinned={NO_PINS}
          ctx={ctx}
          request={BOTTOM}
          header={header}
          label="Thread replies"
          onNearTop={() => void view.loadOlder()}
        />
      </div>
      <TypingIndicator scopeId={scope.id} rootId={view.rootId} />
      {!embedded && (
        <Composer
          composerKey={composerKey}
          workspaceId={scope.workspaceId}
          target={target}
          scope={{ kind: scope.kind, id: scope.id, rootId: view.rootId }}
          placeholder="Reply in thread"
          meId={me.id}
          disabledReason={canWrite ? null : "You cannot reply here."}
          lastOwnMessage={() => [...view.messages.peek()].reverse().find((m) => m.author_id === me.id && !m.deleted_at)}
        />
      )}
    </aside>
  );
}
