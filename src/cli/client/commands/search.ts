// Finding and attaching: search, upload. Both routes are newer than the rest of the API; an
// older server answers 404 "no such route", which the CLI reports as "does not support" (exit 4).
import { basename } from "node:path";
import { CliError, EXIT, usageError } from "../errors.ts";
import { intFlag } from "../flags.ts";
import type { Spec } from "../main.ts";
import { author } from "../output.ts";

export const searchCommands: Record<string, Spec> = {
  search: {
    usage: "search QUERY… [--channel C] [--limit N] [--workspace W]",
    summary: "full-text search over the messages you can read",
    options: { limit: { type: "string" }, cursor: { type: "string" } },
    async run(ctx, args, values) {
      const q = args.join(" ").trim();
      if (!q) throw usageError("search for what? give a query");
      const workspace = await ctx.workspace();
      const channel = ctx.globals.channel ? await ctx.channel() : null;
      const page = await ctx.client.search(workspace.id, q, { channelId: channel?.id, limit: intFlag(values.limit, "limit", 1), cursor: typeof values.cursor === "string" ? values.cursor : undefined });
      ctx.out.result(
        page,
        () => (page.results.length ? page.results.map((r) => `${r.message.id} ${author(r.message)}: ${(r.snippet ?? r.message.body).replace(/\s+/g, " ")}`).join("\n") : `Nothing matches "${q}".`),
        () => page.results.map((r) => [r.message.id, r.message.channel_id ?? r.message.direct_conversation_id ?? "", (r.snippet ?? r.message.body).replace(/\s+/g, " ")].join("\t")).join("\n"),
      );
    },
  },

  upload: {
    usage: "upload PATH [--name FILENAME] [--nonce KEY] [--attach MESSAGE_ID] [--workspace W]",
    summary: "upload a file (up to 64 MiB), optionally attaching it to one of your messages",
    options: { name: { type: "string" }, nonce: { type: "string" }, attach: { type: "string" } },
    async run(ctx, args, values) {
      const [path] = args;
      if (!path || args.length > 1) throw usageError("give one file to upload");
      const file = Bun.file(path);
      if (!(await file.exists())) throw new CliError(EXIT.notFound, `no file at ${path}`, undefined, "file_not_found");
      const workspace = await ctx.workspace();
      const upload = await ctx.client.uploads.create(workspace.id, file, typeof values.name === "string" ? values.name : basename(path), { nonce: typeof values.nonce === "string" ? values.nonce : undefined });
      if (typeof values.attach === "string") await ctx.client.uploads.attach(values.attach, upload.id);
      ctx.out.result(
        { upload, attached_to: typeof values.attach === "string" ? values.attach : null },
        () => `Uploaded ${upload.filename} (${upload.byte_size} bytes) as ${upload.id}${typeof values.attach === "string" ? `, attached to ${values.attach}` : ""}.`,
        () => upload.id,
      );
    },
  },
};
