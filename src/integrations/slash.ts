// Invoking a slash command: the registered callback gets a signed JSON payload and answers
// `{response_type, text}`; "in_channel" posts the text as the command's bot, "ephemeral" shows
// it to the caller only. A callback that fails, hangs or answers garbage is logged and reported
// to the caller, never a 500. An unregistered command is posted as text, as the original does.
import type { Actor } from "../access/actor.ts";
import { newId } from "../chat/ids.ts";
import { budgetFor } from "../chat/posting.ts";
import type { ChatEvent, Message, Role } from "../chat/types.ts";
import type { Hub } from "../realtime/hub.ts";
import type { Store } from "../store/store.ts";
import { type OutboundPolicy, postOutbound } from "./outbound.ts";
import { signedHeaders } from "./signing.ts";

export const COMMAND_PATTERN = /^\/[a-z0-9_-]{1,32}$/;
const CALLBACK_TIMEOUT_MS = 5_000;
const MAX_REPLY_CHARS = 40_000;

/** `Deploy` and `/deploy` name the same command. */
export function normalizeCommand(raw: string): string {
  const c = raw.trim().toLowerCase();
  return c.startsWith("/") ? c : `/${c}`;
}

export interface SlashResult {
  response_type: "in_channel" | "ephemeral";
  text: string;
  message?: Message;
  event?: ChatEvent;
}

interface Caller { actor: Actor; role: Role; channel: { id: string; workspaceId: string } }

function parseReply(body: string): { response_type: "in_channel" | "ephemeral"; text: string } | null {
  if (body.trim() === "") return { response_type: "ephemeral", text: "" };
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    // Mattermost accepts a plain-text answer as an ephemeral reply.
    return { response_type: "ephemeral", text: body.slice(0, MAX_REPLY_CHARS) };
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) return null;
  const r = v as { response_type?: unknown; text?: unknown };
  if (r.text !== undefined && typeof r.text !== "string") return null;
  return { response_type: r.response_type === "in_channel" ? "in_channel" : "ephemeral", text: (r.text ?? "").slice(0, MAX_REPLY_CHARS) };
}

export async function invokeSlashCommand(deps: { store: Store; hub: Hub; outbound: OutboundPolicy }, caller: Caller, rawCommand: string, text: string): Promise<SlashResult> {
  const { store, hub } = deps;
  const { actor, role, channel } = caller;
  const command = normalizeCommand(rawCommand);
  const budget = budgetFor(role);
  const found = await store.integrations.activeSlashCommand(channel.workspaceId, command);
  if (!found) {
    const posted = await store.messages.post({ scope: { kind: "channel", ...channel }, authorId: actor.user.id, body: `${command} ${text}`.trim(), budget });
    return { response_type: "in_channel", text: posted.message.body, message: posted.message, event: posted.events[0] };
  }
  const reg = found.command;
  const triggerId = newId("trg");
  const body = JSON.stringify({ command_id: reg.id, command, text, workspace_id: channel.workspaceId, channel_id: channel.id, user_id: actor.user.id, bot_user_id: reg.bot_user_id, trigger_id: triggerId });
  // Recorded before the callback runs: a guest's invocation spends their budget in that write
  // (429 when it is spent), so concurrent invocations cannot overshoot it.
  const invocation = await store.integrations.recordInvocation({ commandId: reg.id, workspaceId: channel.workspaceId, channelId: channel.id, userId: actor.user.id, text, outcome: "pending", responseStatus: null, error: null }, budget);
  let reply: ReturnType<typeof parseReply>;
  let status: number | null = null;
  try {
    const res = await postOutbound(reg.callback_url, body, signedHeaders(found.signingSecret, body), deps.outbound, { timeoutMs: CALLBACK_TIMEOUT_MS });
    status = res.status;
    reply = res.status >= 200 && res.status < 300 ? parseReply(res.body) : null;
    if (!reply) throw new Error(res.status >= 200 && res.status < 300 ? "the callback's answer is not {response_type, text}" : `the callback answered HTTP ${res.status}`);
  } catch (err) {
    const name = (err as Error).name;
    const error = name === "TimeoutError" || name === "AbortError" ? "the callback did not answer in time" : (err as Error).message;
    await store.integrations.finishInvocation(invocation, { outcome: "failed", responseStatus: status, error });
    return ephemeral(hub, caller, `${command} failed: ${error}`);
  }
  await store.integrations.finishInvocation(invocation, { outcome: reply.response_type, responseStatus: status, error: null });
  if (reply.response_type === "in_channel" && reply.text.trim() !== "") {
    const posted = await store.messages.post({ scope: { kind: "channel", ...channel }, authorId: reg.bot_user_id, body: reply.text });
    return { response_type: "in_channel", text: reply.text, message: posted.message, event: posted.events[0] };
  }
  return ephemeral(hub, caller, reply.text);
}

/** Shown to the caller only: an ephemeral event addressed to them, and the HTTP answer. */
function ephemeral(hub: Hub, { actor, channel }: Caller, text: string): SlashResult {
  if (text) {
    hub.publishEphemeral({
      id: newId("eph"), cursor: "", type: "command.response", workspace_id: channel.workspaceId, channel_id: channel.id, seq: null,
      created_at: new Date().toISOString(), payload: { channel_id: channel.id, user_id: actor.user.id, text }, recipients: [actor.user.id], direct_conversation_id: null,
    } as never);
  }
  return { response_type: "ephemeral", text };
}
