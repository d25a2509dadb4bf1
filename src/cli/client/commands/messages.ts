// Saying things and reading them: send, messages list, messages tail (live, for agents watching).
import { ClickClackBot, ClickClackError, MemoryCursorStore, type Message, type RealtimeEvent } from "../../../../sdk/src/index.ts";
import { EXIT, fromApiError } from "../errors.ts";
import { intFlag } from "../flags.ts";
import type { Spec } from "../main.ts";
import { formatMessage } from "../output.ts";

const BODY_OPTIONS = { file: { type: "string" }, stdin: { type: "boolean" }, nonce: { type: "string" } } as const;
const nonceOf = (values: Record<string, unknown>) => (typeof values.nonce === "string" ? values.nonce : undefined);

export const messageCommands: Record<string, Spec> = {
  send: {
    usage: "send [BODY…] [--file PATH | --stdin] [--channel C] [--reply-to MESSAGE_ID] [--nonce KEY]",
    summary: "post a message to --channel; --reply-to quotes that message where it is (a thread reply is `threads reply`); --nonce makes a retry safe",
    options: { ...BODY_OPTIONS, "reply-to": { type: "string" } },
    async run(ctx, args, values) {
      const body = await ctx.body(args, values);
      const replyTo = typeof values["reply-to"] === "string" ? values["reply-to"] : undefined;
      if (replyTo) {
        // As in the Go CLI: a reply quotes the message, in the same channel, DM or thread.
        const quoted = await ctx.client.messages.get(replyTo);
        const input = { body, nonce: nonceOf(values), quoted_message_id: quoted.id };
        const message = quoted.parent_message_id
          ? await ctx.client.threads.reply(quoted.parent_message_id, input)
          : quoted.channel_id
            ? await ctx.client.channels.sendMessage(quoted.channel_id, input)
            : await ctx.client.dms.sendMessage(quoted.direct_conversation_id!, input);
        ctx.out.result({ message }, () => `Replied to ${quoted.id}, quoting it (${message.id}).`, () => message.id);
        return;
      }
      const channel = await ctx.channel();
      const message = await ctx.client.channels.sendMessage(channel.id, { body, nonce: nonceOf(values) });
      ctx.out.result({ message }, () => `Sent to #${channel.name} as #${message.channel_seq} (${message.id}).`, () => message.id);
    },
  },

  messages: {
    usage: "messages list|tail",
    summary: "read a channel",
    sub: {
      list: {
        usage: "messages list [--channel C] [--limit N] [--after-seq N | --before-seq N]",
        summary: "a page of root messages, oldest first (default: the latest --limit, 50)",
        options: { limit: { type: "string" }, "after-seq": { type: "string" }, "before-seq": { type: "string" } },
        async run(ctx, _args, values) {
          const channel = await ctx.channel();
          const afterSeq = intFlag(values["after-seq"], "after-seq");
          const beforeSeq = intFlag(values["before-seq"], "before-seq");
          const messages = await ctx.client.channels.messages(channel.id, { afterSeq, beforeSeq, limit: intFlag(values.limit, "limit", 1) ?? 50 });
          ctx.out.result(
            { channel_id: channel.id, messages },
            () => (messages.length ? messages.map((m) => formatMessage(m, "human")).join("\n") : `No messages in #${channel.name}${afterSeq !== undefined ? ` after #${afterSeq}` : ""}.`),
            () => messages.map((m) => formatMessage(m, "plain")).join("\n"),
          );
        },
      },
      tail: {
        usage: "messages tail [--channel C] [--count N] [--after-cursor CURSOR] [--events]",
        summary: "follow new messages live (all channels when --channel is not given); JSON lines with --json",
        options: { count: { type: "string" }, "after-cursor": { type: "string" }, events: { type: "boolean" } },
        async run(ctx, _args, values) {
          const count = intFlag(values.count, "count", 1);
          const channel = ctx.globals.channel ? await ctx.channel() : null;
          const workspaceId = channel?.workspace_id ?? (await ctx.workspace()).id;
          let seen = 0;
          let finish: (code: number) => void = () => {};
          const finished = new Promise<number>((resolve) => (finish = resolve));
          const emit = (event: RealtimeEvent, message: Message | null) => {
            ctx.out.record(
              { event, message },
              () => (message ? formatMessage(message, "human") : `${event.type} ${event.id}`),
              () => (message ? formatMessage(message, "plain") : [event.type, event.id, event.cursor ?? ""].join("\t")),
            );
            if (count !== undefined && ++seen >= count) finish(EXIT.ok);
          };
          const bot = new ClickClackBot({
            ...ctx.clientOptions,
            workspaceId,
            afterCursor: typeof values["after-cursor"] === "string" ? values["after-cursor"] : undefined,
            cursorStore: new MemoryCursorStore(),
            ignoreOwnMessages: false,
            maxAttempts: 1,
            onEvent: async (event, client) => {
              if (seen === count) return;
              if (channel && event.channel_id !== channel.id) return;
              const isMessage = event.type === "message.created" || event.type === "thread.reply_created";
              if (!isMessage) return values.events ? emit(event, null) : undefined;
              emit(event, await client.messages.get(event.payload.message_id as string));
            },
            onError: (err, event) => {
              // The bot stops itself on a refused credential; anything else it retries or skips.
              if (err instanceof ClickClackError && (err.status === 401 || err.status === 403)) {
                ctx.out.error(fromApiError(err, ctx.server, "follow the channel"));
                finish(EXIT.auth);
              } else ctx.out.note(`clickclack: ${event ? `skipped ${event.type} ${event.id}` : "realtime"}: ${err instanceof Error ? err.message : String(err)}`);
            },
            onResync: ({ to }) => ctx.out.note(`clickclack: fell too far behind; resumed at ${to} (some events were skipped)`),
          });
          await bot.start();
          ctx.out.note(`watching ${channel ? `#${channel.name}` : "all channels"} on ${ctx.server} (Ctrl-C to stop)`);
          const stop = () => finish(EXIT.ok);
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
          const code = await finished;
          await bot.stop();
          return code;
        },
      },
    },
  },
};

export { BODY_OPTIONS, nonceOf };
