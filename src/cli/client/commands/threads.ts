// Threads are one level deep: open one, or reply in it.
import { intFlag } from "../flags.ts";
import { usageError } from "../errors.ts";
import type { Spec } from "../main.ts";
import { formatMessage } from "../output.ts";
import { BODY_OPTIONS, nonceOf } from "./messages.ts";

const messageId = (args: string[], usage: string) => {
  const id = args[0];
  if (!id) throw usageError("which message? give its id (msg_…)", `usage: clickclack ${usage}`);
  return id;
};

export const threadCommands: Record<string, Spec> = {
  threads: {
    usage: "threads open|reply",
    summary: "read and answer threads",
    sub: {
      open: {
        usage: "threads open MESSAGE_ID [--limit N] [--latest]",
        summary: "the thread's root and its replies (the oldest --limit, or the latest with --latest)",
        options: { limit: { type: "string" }, latest: { type: "boolean" } },
        async run(ctx, args, values) {
          const id = messageId(args, "threads open MESSAGE_ID");
          const page = await ctx.client.threads.get(id, { limit: intFlag(values.limit, "limit", 1) ?? 100, latest: values.latest === true ? true : undefined });
          ctx.out.result(
            page,
            () => [formatMessage(page.root, "human"), ...page.replies.map((r) => formatMessage(r, "human", "  "))].join("\n"),
            () => [page.root, ...page.replies].map((m) => formatMessage(m, "plain")).join("\n"),
          );
        },
      },
      reply: {
        usage: "threads reply MESSAGE_ID [BODY…] [--file PATH | --stdin] [--nonce KEY]",
        summary: "reply in the thread of a message",
        options: BODY_OPTIONS,
        async run(ctx, args, values) {
          const id = messageId(args, "threads reply MESSAGE_ID BODY");
          const body = await ctx.body(args.slice(1), values);
          const message = await ctx.client.threads.reply(id, { body, nonce: nonceOf(values) });
          ctx.out.result({ message }, () => `Replied in the thread of ${id} as ↳${message.thread_seq} (${message.id}).`, () => message.id);
        },
      },
    },
  },
};
