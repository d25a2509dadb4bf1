// One message: author and time (or a compact row under the previous message of the same author),
// the quoted message, the body, attachments, an agent's live activity, reactions, the thread
// summary, and the hover toolbar.
import { useComputed } from "@preact/signals";
import { memo } from "preact/compat";
import { clockTime, fullTime, relativeTime } from "../format.ts";
import { conversationPath, navigate } from "../routes.ts";
import { authorName, userName, users } from "../state/directory.ts";
import { actionsFor, editingId, highlight, highlightId, unfold, unfolded } from "../state/ui.ts";
import type { Message, Scope } from "../types.ts";
import { AgentActivity } from "./AgentActivity.tsx";
import { Attachments, bodyIsJustTheFile } from "./Attachments.tsx";
import { Avatar } from "./Avatar.tsx";
import { openProfile } from "./PeopleDialogs.tsx";
import { EditBox } from "./EditBox.tsx";
import { MessageActions } from "./MessageActions.tsx";
import { MessageBody } from "./MessageBody.tsx";
import { QuestionCard } from "./QuestionCard.tsx";
import { Reactions } from "./Reactions.tsx";

/** What every row of one list shares; memoised by the list so rows can skip re-rendering. */
export interface RowContext {
  scope: Scope;
  meId: string;
  inThread: boolean;
  composerKey: string;
  canWrite: boolean;
}

function ThreadSummary({ message, ctx }: { message: Message; ctx: RowContext }) {
  const state = message.thread_state;
  if (!state || state.reply_count === 0 || ctx.inThread) return null;
  const open = () => navigate(conversationPath(ctx.scope.kind, ctx.scope.id, { threadId: message.id }));
  return (
    <button type="button" class="thread-summary" onClick={open}>
      <span class="thread-avatars" aria-hidden="true">
        {state.last_reply_author_ids.slice(0, 3).map((id) => (
          <Avatar id={id} user={users.value.get(id)} size={20} />
        ))}
      </span>
      <span class="thread-count">{state.reply_count === 1 ? "1 reply" : `${state.reply_count} replies`}</span>
      {state.last_reply_at && <span class="thread-last">Last reply {relativeTime(state.last_reply_at)}</span>}
    </button>
  );
}

/** Bodies longer than this are shown folded, with "Show more": a pasted log must not fill the screen. */
export const FOLD_LINES = 24;
export const FOLD_CHARS = 2400;
export const FOLD_HEIGHT_PX = 360;

export function isLong(body: string): boolean {
  if (body.length > FOLD_CHARS) return true;
  let lines = 1;
  for (let i = body.indexOf("\n"); i >= 0; i = body.indexOf("\n", i + 1)) if (++lines > FOLD_LINES) return true;
  return false;
}

/** The quoted message as it was, Markdown and all (lists, code), clipped; a click jumps to it. */
function Quote({ message, ctx }: { message: Message; ctx: RowContext }) {
  const id = message.quoted_message_id;
  if (!id) return null;
  const jump = () => {
    navigate(conversationPath(ctx.scope.kind, ctx.scope.id, { messageId: id }));
    highlight(id);
  };
  return (
    <blockquote class="msg-quote">
      <button type="button" class="msg-quote-jump" onClick={jump} aria-label={`Quoted message from ${userName(message.quoted_author_id)}: jump to the original`}>
        <span class="msg-quote-author">{userName(message.quoted_author_id)}</span>
      </button>
      <div class="msg-quote-body">{message.quoted_body_snapshot ? <MessageBody body={message.quoted_body_snapshot} /> : "Original message"}</div>
    </blockquote>
  );
}

function Content({ message: m }: { message: Message }) {
  const folded = isLong(m.body) && !unfolded.value.has(m.id);
  return (
    <>
      <div class={`msg-content${folded ? " folded" : ""}`} id={`c-${m.id}`} style={folded ? { maxHeight: `${FOLD_HEIGHT_PX}px` } : undefined}>
        <MessageBody body={m.body} edited={!!m.edited_at} />
      </div>
      {folded && (
        <button type="button" class="show-more" aria-controls={`c-${m.id}`} aria-expanded="false" onClick={() => unfold(m.id)}>
          Show more
        </button>
      )}
    </>
  );
}

/**
 * Who posted, when it was not a person: an incoming webhook (the server marks its messages with
 * `posted_by_webhook`) or another bot.
 */
export function authorBadge(m: Message, isBot: boolean): string | null {
  if (m.posted_by_webhook) return "Webhook";
  return isBot ? "Bot" : null;
}

export const MessageRow = memo(function MessageRow(props: { message: Message; compact: boolean; ctx: RowContext; pinned: boolean }) {
  const { message: m, compact, ctx } = props;
  // The toolbar exists only while the row is hovered, focused or tapped: rendering it for every
  // row would triple the DOM a long list has to lay out while scrolling. One row at a time.
  const active = useComputed(() => actionsFor.value === m.id).value;
  const show = () => (actionsFor.value = m.id);
  const hide = () => {
    if (actionsFor.peek() === m.id) actionsFor.value = null;
  };
  const author = m.author ?? users.value.get(m.author_id);
  const editing = editingId.value === m.id;
  const highlighted = highlightId.value === m.id;
  const name = authorName(m);
  const isBot = author?.kind === "bot";
  const badge = authorBadge(m, isBot);
  const activity = m.kind === "agent_commentary" || m.kind === "agent_tool";

  if (m.deleted_at) {
    return (
      <div class={`msg deleted${compact ? " compact" : ""}`} id={`m-${m.id}`}>
        <div class="msg-gutter" />
        <div class="msg-main">
          <p class="msg-deleted">This message was deleted.</p>
          <ThreadSummary message={m} ctx={ctx} />
        </div>
      </div>
    );
  }

  return (
    <article
      class={`msg${compact ? " compact" : ""}${highlighted ? " highlighted" : ""}${editing ? " editing" : ""}${props.pinned ? " pinned" : ""}${activity ? " activity" : ""}`}
      id={`m-${m.id}`}
      data-message-id={m.id}
      aria-label={`${name} at ${clockTime(m.created_at)}`}
      tabIndex={0}
      onMouseEnter={show}
      onMouseLeave={(e) => {
        const row = e.currentTarget as HTMLElement;
        const focused = document.activeElement as HTMLElement | null;
        // Focus left behind by a click (not the keyboard's) must not pin the toolbar in place.
        if (focused && row.contains(focused) && !focused.matches(":focus-visible") && !row.querySelector(".emoji-picker")) focused.blur();
        if (!row.contains(document.activeElement)) hide();
      }}
      onFocusIn={show}
      onFocusOut={(e) => !(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null) && hide()}
      onClick={show}
    >
      {/* First in the row, so Tab from a focused row lands on its actions. */}
      {active && !editing && <MessageActions message={m} ctx={{ ...ctx, pinned: props.pinned }} />}
      <div class="msg-gutter">
        {compact ? (
          <time class="msg-hover-time" dateTime={m.created_at} title={fullTime(m.created_at)}>
            {clockTime(m.created_at)}
          </time>
        ) : (
          <button type="button" class="avatar-button" tabIndex={-1} aria-hidden="true" onClick={() => openProfile(m.author_id)}>
            <Avatar id={m.author_id} user={author} />
          </button>
        )}
      </div>
      <div class="msg-main">
        {!compact && (
          <header class="msg-header">
            <button type="button" class="msg-author" onClick={() => openProfile(m.author_id)}>
              {name}
            </button>
            {badge && <span class={`badge badge-${badge.toLowerCase()}`}>{badge}</span>}
            <time class="msg-time" dateTime={m.created_at} title={fullTime(m.created_at)}>
              {clockTime(m.created_at)}
            </time>
            {props.pinned && <span class="msg-pinned">Pinned</span>}
          </header>
        )}
        <Quote message={m} ctx={ctx} />
        {editing ? <EditBox message={m} /> : bodyIsJustTheFile(m.body, m.attachments) ? null : <Content message={m} />}
        <Attachments attachments={m.attachments} />
        {m.question && <QuestionCard message={m} meId={ctx.meId} canAnswer={ctx.canWrite} />}
        <AgentActivity messageId={m.id} />
        <Reactions message={m} canReact={ctx.canWrite} />
        <ThreadSummary message={m} ctx={ctx} />
      </div>
    </article>
  );
});
