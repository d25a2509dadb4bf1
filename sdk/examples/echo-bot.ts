#!/usr/bin/env bun
// An example bot: echoes every new message in its thread, and answers `/roll NdM` with dice.
//
//   CLICKCLACK_SERVER=http://127.0.0.1:8080 CLICKCLACK_TOKEN=ccb_… CLICKCLACK_WORKSPACE=wsp_… \
//     bun sdk/examples/echo-bot.ts
//
// On a dev server, CLICKCLACK_USER=usr_… stands in for a token. The bot keeps its cursor in
// ./.clickclack/cursors (or CLICKCLACK_CURSOR_DIR), so a restart neither replays history nor
// misses what was said while it was down. (Outside this repository, import from "@clickclack/sdk".)
import { type BotContext, ClickClackBot, type ClickClackClient, type RealtimeEvent } from "../src/index.ts";
import { FileCursorStore } from "../src/file-cursor-store.ts";

const ROLL = /^\/roll\s+(\d{1,3})d(\d{1,4})\s*$/i;

/** The answer to `/roll NdM`, or null when the text is not a roll. `random` is injectable for tests. */
export function roll(text: string, random: () => number = Math.random): string | null {
  const m = ROLL.exec(text.trim());
  if (!m) return text.trim().startsWith("/roll") ? "usage: /roll NdM, e.g. /roll 2d6 (1–100 dice, 2–1000 sides)" : null;
  const [count, sides] = [Number(m[1]), Number(m[2])];
  if (count < 1 || count > 100 || sides < 2 || sides > 1000) return "usage: /roll NdM, e.g. /roll 2d6 (1–100 dice, 2–1000 sides)";
  const dice = Array.from({ length: count }, () => 1 + Math.floor(random() * sides));
  const total = dice.reduce((a, b) => a + b, 0);
  return `🎲 ${count}d${sides}: ${dice.join(" + ")} = ${total}`;
}

export async function handle(event: RealtimeEvent, client: ClickClackClient, ctx: BotContext): Promise<void> {
  // Root messages only: the bot answers in the thread, and would otherwise echo every reply there.
  if (event.type !== "message.created") return;
  const message = await client.messages.get(event.payload.message_id as string);
  if (message.deleted_at || !message.body.trim()) return;
  await ctx.reply(roll(message.body) ?? `echo: ${message.body}`);
}

export function createEchoBot(env: Record<string, string | undefined> = process.env): ClickClackBot {
  const workspaceId = env.CLICKCLACK_WORKSPACE;
  if (!workspaceId) throw new Error("set CLICKCLACK_WORKSPACE to the workspace id (wsp_…)");
  return new ClickClackBot({
    baseUrl: env.CLICKCLACK_SERVER ?? "http://127.0.0.1:8080",
    token: env.CLICKCLACK_TOKEN || undefined,
    userId: env.CLICKCLACK_USER || undefined,
    workspaceId,
    cursorStore: new FileCursorStore(env.CLICKCLACK_CURSOR_DIR),
    onEvent: handle,
    onError: (err, event) => console.error(`echo-bot: ${event ? `${event.type} ${event.id}: ` : ""}${err instanceof Error ? err.message : String(err)}`),
    onResync: ({ from, to }) => console.error(`echo-bot: cursor ${from} is gone; resumed at ${to}`),
  });
}

if (import.meta.main) {
  const bot = createEchoBot();
  await bot.start();
  console.log(`echo-bot: listening as @${bot.user?.handle} (cursor ${bot.cursor ?? "none"})`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, async () => {
      await bot.stop();
      process.exit(0);
    });
  }
}
