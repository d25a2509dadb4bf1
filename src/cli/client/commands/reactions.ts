// Emoji reactions on a message.
import { usageError } from "../errors.ts";
import type { Spec } from "../main.ts";
import type { Context } from "../context.ts";

async function react(ctx: Context, args: string[], add: boolean) {
  const [id, emoji] = args;
  if (!id || !emoji || args.length > 2) throw usageError(`give a message id and one emoji, e.g. reactions ${add ? "add" : "remove"} msg_… 👍`);
  const reactions = add ? await ctx.client.reactions.add(id, emoji) : await ctx.client.reactions.remove(id, emoji);
  ctx.out.result(
    { message_id: id, reactions },
    () => (reactions.length ? reactions.map((r) => `${r.emoji} ${r.count}${r.reacted_by_me ? " (you)" : ""}`).join("  ") : "No reactions."),
    () => reactions.map((r) => `${r.emoji}\t${r.count}\t${r.reacted_by_me}`).join("\n"),
  );
}

export const reactionCommands: Record<string, Spec> = {
  reactions: {
    usage: "reactions add|remove",
    summary: "react to a message",
    sub: {
      add: { usage: "reactions add MESSAGE_ID EMOJI", summary: "add your reaction (adding it twice changes nothing)", run: (ctx, args) => react(ctx, args, true) },
      remove: { usage: "reactions remove MESSAGE_ID EMOJI", summary: "remove your reaction", run: (ctx, args) => react(ctx, args, false) },
    },
  },
};
