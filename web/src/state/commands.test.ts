import { expect, test } from "bun:test";
import type { SlashCommandInfo, WorkspaceBotCommand } from "../types.ts";
import { addCommandNote, commandAt, commandNotes, matchCommands, mergeCommands, parseCommand } from "./commands.ts";

const slash = (command: string, extra: Partial<SlashCommandInfo> = {}): SlashCommandInfo => ({
  id: `cmd_${command}`, workspace_id: "wsp_1", command, description: `${command} it`, callback_url: "", bot_user_id: "usr_ci", created_at: "2026-01-01T00:00:00Z", revoked_at: null, ...extra,
});
const menu = (command: string, handle: string, args_hint = ""): WorkspaceBotCommand => ({
  id: `bcm_${command}`, command, description: `${handle} does ${command}`, args_hint, bot: { id: `usr_${handle}`, handle, display_name: handle, avatar_url: null }, created_at: "", updated_at: "",
});

test("one menu: active registered commands win a name clash with a bot menu, revoked ones are gone, sorted by name", () => {
  const list = mergeCommands([slash("/deploy"), slash("/old", { revoked_at: "2026-01-02T00:00:00Z" })], [menu("/deploy", "helper"), menu("/ask", "helper", "<question>"), menu("/ask", "other")], (id) => (id === "usr_ci" ? "@ci" : null));
  expect(list.map((c) => [c.command, c.source, c.botName])).toEqual([
    ["/ask", "bot", "@helper"],
    ["/deploy", "slash", "@ci"],
  ]);
  expect(list[0]!.hint).toBe("<question>");
});

test("a command is typed only at the very start, before any space; /usr/bin is not a command", () => {
  expect(commandAt("/dep", 4)).toEqual({ query: "dep", start: 0 });
  expect(commandAt("/", 1)).toEqual({ query: "", start: 0 });
  expect(commandAt("/deploy prod", 12)).toBeNull();
  expect(commandAt("say /dep", 8)).toBeNull();
  expect(parseCommand("/Deploy  prod now")).toEqual({ command: "/deploy", text: "prod now" });
  expect(parseCommand("/whoami")).toEqual({ command: "/whoami", text: "" });
  expect(parseCommand("/usr/bin/env")).toBeNull();
  expect(parseCommand(" /deploy")).toBeNull();
  expect(parseCommand("/ hello")).toBeNull();
});

test("matching: names that start with the query first, then descriptions that mention it", () => {
  const list = mergeCommands([slash("/deploy", { description: "Ship a build" }), slash("/build", { description: "Build a branch" }), slash("/status", { description: "Deploy status" })], [], () => null);
  expect(matchCommands(list, "").map((c) => c.command)).toEqual(["/build", "/deploy", "/status"]);
  expect(matchCommands(list, "st").map((c) => c.command)).toEqual(["/status"]);
  expect(matchCommands(list, "deploy").map((c) => c.command)).toEqual(["/deploy", "/status"]);
});

test("the same private reply from the HTTP answer and the event is one note, which learns its command", () => {
  commandNotes.value = [];
  addCommandNote("chn_1", "Only you", null);
  addCommandNote("chn_1", "Only you", "/whoami");
  addCommandNote("chn_2", "Only you", "/whoami");
  expect(commandNotes.value.map((n) => [n.channelId, n.command])).toEqual([
    ["chn_1", "/whoami"],
    ["chn_2", "/whoami"],
  ]);
});
