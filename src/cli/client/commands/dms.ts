// Direct conversations: open one with people, or send into one.
import type { DirectConversation } from "../../../../sdk/src/index.ts";
import type { Context } from "../context.ts";
import { usageError } from "../errors.ts";
import type { Spec } from "../main.ts";
import { BODY_OPTIONS, nonceOf } from "./messages.ts";

const members = (c: DirectConversation) => c.members.map((m) => `@${m.handle}`).join(", ");

/** dm_… as given; people (@handle, usr_…) open (or find) the conversation with them. */
async function conversation(ctx: Context, refs: string[]): Promise<DirectConversation> {
  if (refs.length === 1 && refs[0]!.startsWith("dm_")) return ctx.client.dms.get(refs[0]!);
  const workspace = await ctx.workspace();
  const ids = await Promise.all(refs.map(async (r) => (await ctx.user(r)).id));
  return ctx.client.dms.create(workspace.id, ids);
}

export const dmCommands: Record<string, Spec> = {
  dms: {
    usage: "dms open|send",
    summary: "direct conversations",
    sub: {
      open: {
        usage: "dms open @HANDLE|USER_ID… [--workspace W]",
        summary: "open (or find) the conversation with these people (up to 31 of them)",
        async run(ctx, args) {
          if (!args.length) throw usageError("with whom? give @handles or usr_… ids");
          const dm = await conversation(ctx, args);
          ctx.out.result({ conversation: dm }, () => `${dm.id} with ${members(dm)}`, () => dm.id);
        },
      },
      send: {
        usage: "dms send DM_ID|@HANDLE [BODY…] [--file PATH | --stdin] [--nonce KEY]",
        summary: "send a direct message (to a dm_… id, or to one person by @handle)",
        options: BODY_OPTIONS,
        async run(ctx, args, values) {
          const [target, ...words] = args;
          if (!target) throw usageError("to whom? give a dm_… id or an @handle");
          const body = await ctx.body(words, values);
          const dm = await conversation(ctx, [target]);
          const message = await ctx.client.dms.sendMessage(dm.id, { body, nonce: nonceOf(values) });
          ctx.out.result({ conversation_id: dm.id, message }, () => `Sent to ${members(dm)} (${message.id}).`, () => message.id);
        },
      },
    },
  },
};
