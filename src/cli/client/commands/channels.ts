// Where conversations live: workspaces and channels.
import { table } from "../output.ts";
import { usageError } from "../errors.ts";
import type { Spec } from "../main.ts";

export const channelCommands: Record<string, Spec> = {
  workspaces: {
    usage: "workspaces list",
    summary: "your workspaces",
    sub: {
      list: {
        usage: "workspaces list",
        summary: "the workspaces you belong to, with your role",
        async run(ctx) {
          const workspaces = await ctx.client.workspaces.list();
          ctx.out.result({ workspaces }, () => (workspaces.length ? table(workspaces.map((w) => [w.slug, w.name, w.role ?? "", w.id]), "human") : "You are not a member of any workspace."), () =>
            table(workspaces.map((w) => [w.id, w.slug, w.name, w.role ?? ""]), "plain"),
          );
        },
      },
    },
  },

  channels: {
    usage: "channels list|create",
    summary: "channels of the workspace",
    sub: {
      list: {
        usage: "channels list [--workspace W] [--archived]",
        summary: "channels with your unread counts",
        options: { archived: { type: "boolean" } },
        async run(ctx, _args, values) {
          const workspace = await ctx.workspace();
          const channels = (await ctx.client.channels.list(workspace.id)).filter((c) => values.archived || !c.archived_at);
          ctx.out.result(
            { workspace_id: workspace.id, channels },
            () => table(channels.map((c) => [`#${c.name}`, c.unread_count ? `${c.unread_count} unread` : "", c.archived_at ? "archived" : "", c.id]), "human"),
            () => table(channels.map((c) => [c.id, c.name, String(c.unread_count), String(c.last_seq)]), "plain"),
          );
        },
      },
      create: {
        usage: "channels create NAME [--title TITLE] [--workspace W]",
        summary: "create a public channel (the name becomes a slug: \"Release Plans\" → #release-plans)",
        options: { title: { type: "string" } },
        async run(ctx, args, values) {
          const name = args.join(" ").trim();
          if (!name) throw usageError("give the channel a name");
          const workspace = await ctx.workspace();
          const channel = await ctx.client.channels.create(workspace.id, { name, display_title: typeof values.title === "string" ? values.title : undefined });
          ctx.out.result({ channel }, () => `Created #${channel.name} in ${workspace.slug} (${channel.id}).`, () => channel.id);
        },
      },
    },
  },
};
