// Turns a window of messages (plus pending sends) into list rows: day separators, the unread
// divider, compact rows for consecutive messages by one author, and hands them to VirtualList.
import type { ComponentChildren } from "preact";
import { useCallback, useMemo } from "preact/hooks";
import { dayKey, dayLabel } from "../format.ts";
import type { Pending } from "../state/outbox.ts";
import type { Message } from "../types.ts";
import { FOLD_HEIGHT_PX, isLong, MessageRow, type RowContext } from "./MessageRow.tsx";
import { unfolded } from "../state/ui.ts";
import { PendingRow } from "./PendingRow.tsx";
import { type ScrollRequest, VirtualList } from "./VirtualList.tsx";

type Row =
  | { key: string; type: "message"; message: Message; compact: boolean }
  | { key: string; type: "pending"; pending: Pending; compact: boolean }
  | { key: string; type: "day"; label: string; floating: true }
  | { key: "divider"; type: "divider"; floating: true };

const GROUP_MS = 5 * 60_000;

function buildRows(messages: Message[], pending: Pending[], dividerSeq: number | null, seqOf: (m: Message) => number, meId: string, leadingDay: boolean): Row[] {
  const rows: Row[] = [];
  let prev: { author: string; at: number; day: string } | null = null;
  let dividerPlaced = false;
  const seen = new Set<string>();
  for (const m of messages) {
    // A deleted message with no replies leaves no trace; one with replies keeps its place.
    if (m.deleted_at && !(m.thread_state && m.thread_state.reply_count > 0)) continue;
    if (m.nonce) seen.add(m.nonce);
    const day = dayKey(m.created_at);
    if (!prev || prev.day !== day) {
      // A thread starts under its root, which already shows when it began.
      if (rows.length > 0 || leadingDay) rows.push({ key: `day:${m.id}`, type: "day", label: dayLabel(m.created_at), floating: true });
      prev = null;
    }
    if (!dividerPlaced && dividerSeq !== null && seqOf(m) >= dividerSeq && m.author_id !== meId) {
      rows.push({ key: "divider", type: "divider", floating: true });
      dividerPlaced = true;
      prev = null;
    }
    const at = new Date(m.created_at).getTime();
    // One webhook bot posts under whatever name each sender set: a new name is a new author.
    const author = m.posted_by_webhook ? `${m.author_id}:${m.posted_by_webhook.name}` : m.author_id;
    const compact = !!prev && prev.author === author && at - prev.at < GROUP_MS && !m.deleted_at && !m.quoted_message_id;
    rows.push({ key: m.id, type: "message", message: m, compact });
    prev = { author, at, day };
  }
  for (const p of pending) {
    // Already delivered and shown: the server's copy wins.
    if (seen.has(p.nonce)) continue;
    const compact = !!prev && prev.author === meId && Date.now() - prev.at < GROUP_MS;
    rows.push({ key: `p:${p.nonce}`, type: "pending", pending: p, compact });
    prev = { author: meId, at: Date.now(), day: prev?.day ?? "" };
  }
  return rows;
}

function estimate(row: Row): number {
  switch (row.type) {
    case "day":
      return 44;
    case "divider":
      return 30;
    case "pending":
      return row.compact ? 48 : 76;
    case "message": {
      const m = row.message;
      // Each source line wraps on its own; the real width is unknown here, so this only has to be near.
      let lines = 0;
      for (const line of m.body.split("\n")) lines += Math.max(1, Math.ceil(line.length / 90));
      let h = (row.compact ? 8 : 34) + lines * 22;
      if (isLong(m.body) && !unfolded.peek().has(m.id)) h = Math.min(h, (row.compact ? 8 : 34) + FOLD_HEIGHT_PX + 28);
      if (m.reactions?.length) h += 32;
      if (m.thread_state && m.thread_state.reply_count > 0) h += 32;
      if (m.attachments?.length) h += 200;
      if (m.quoted_message_id) h += 44;
      return h;
    }
  }
}

interface Props {
  messages: Message[];
  pending: Pending[];
  dividerSeq: number | null;
  seqOf: (m: Message) => number;
  pinned: ReadonlySet<string>;
  ctx: RowContext;
  request: ScrollRequest;
  header: ComponentChildren;
  label: string;
  onNearTop?: () => void;
  onNearBottom?: () => void;
  onBottomChange?: (atBottom: boolean) => void;
}

export function MessageList(props: Props) {
  const { messages, pending, dividerSeq, seqOf, ctx } = props;
  const rows = useMemo(() => buildRows(messages, pending, dividerSeq, seqOf, ctx.meId, !ctx.inThread), [messages, pending, dividerSeq, seqOf, ctx.meId, ctx.inThread]);
  const render = useCallback(
    (row: Row) => {
      switch (row.type) {
        case "day":
          return (
            <div class="day-separator" role="separator">
              <span>{row.label}</span>
            </div>
          );
        case "divider":
          return (
            <div class="unread-divider" role="separator" aria-label="New messages">
              <span>New</span>
            </div>
          );
        case "pending":
          return <PendingRow pending={row.pending} compact={row.compact} />;
        case "message":
          return <MessageRow message={row.message} compact={row.compact} ctx={ctx} pinned={props.pinned.has(row.message.id)} />;
      }
    },
    [ctx, props.pinned],
  );
  return (
    <VirtualList
      items={rows}
      render={render}
      estimate={estimate}
      request={props.request}
      header={props.header}
      label={props.label}
      onNearTop={props.onNearTop}
      onNearBottom={props.onNearBottom}
      onBottomChange={props.onBottomChange}
      class="message-list"
    />
  );
}
