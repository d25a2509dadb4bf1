// Anthropic-compatible POST /anthropic/v1/messages, streaming with the real event sequence:
// message_start, content_block_start, ping, content_block_delta…, content_block_stop,
// message_delta, message_stop.
import { emptyUsage, type Usage } from "../backends/types.ts";
import type { RunResult } from "../run.ts";
import { startChat, textContent } from "./chat.ts";
import type { Caller, Gateway } from "./context.ts";
import type { Conversation, Turn } from "./conversation.ts";
import { errorBody, errorResponse, fromError, HttpError, json, readJson } from "./http.ts";
import { retryHeaders, statusOf, type StreamWriter, streamResponse } from "./stream.ts";

function parseConversation(body: Record<string, unknown>): Conversation {
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new HttpError(400, "messages: must be a non-empty array");
  }
  const system = textContent(body.system, "system");
  const turns: Turn[] = body.messages.map((raw, i) => {
    const m = raw as { role?: unknown; content?: unknown } | null;
    if (!m || typeof m !== "object") throw new HttpError(400, `messages.${i}: must be an object`);
    if (m.role !== "user" && m.role !== "assistant") {
      throw new HttpError(400, `messages.${i}.role: must be "user" or "assistant"`);
    }
    // Thinking blocks in echoed assistant turns carry no new information for the agent.
    return { role: m.role, text: textContent(m.content, `messages.${i}.content`, ["thinking", "redacted_thinking"]) };
  });
  return { system, turns };
}

// Anthropic counts cache reads outside input_tokens; our usage includes them.
function usage(u: Usage) {
  return {
    input_tokens: u.input_tokens - u.cached_tokens,
    output_tokens: u.output_tokens,
    cache_read_input_tokens: u.cached_tokens,
    cache_creation_input_tokens: 0,
  };
}

function failure(r: RunResult): Response {
  return errorResponse("anthropic", statusOf(r), r.error ?? `agent run ${r.status}`, retryHeaders(r));
}

/**
 * A rough token count (about four characters a token) of the text a request carries. The
 * CLIs expose no tokenizer, so count_tokens and the first message_start can only estimate;
 * the answer says so in `x-clickclack-estimate`.
 */
export function estimateTokens(body: Record<string, unknown>): number {
  const texts: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") texts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o.text === "string") texts.push(o.text);
      else if (o.content !== undefined) walk(o.content);
    }
  };
  walk(body.system);
  walk(body.messages);
  return Math.max(1, Math.ceil(texts.join("\n").length / 4));
}

export async function countTokens(gw: Gateway, caller: Caller): Promise<Response> {
  const raw = await readJson(caller.req, gw.maxBody);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new HttpError(400, "body must be a JSON object");
  const body = raw as Record<string, unknown>;
  if (typeof body.model !== "string" || !body.model) throw new HttpError(400, "model: field required");
  if (!gw.models.has(body.model)) throw new HttpError(404, `model ${JSON.stringify(body.model)} not found`);
  parseConversation(body);
  return json({ input_tokens: estimateTokens(body) }, 200, { "x-clickclack-estimate": "true" });
}

function anthropicModelList(gw: Gateway) {
  return [...gw.models.entries()].map(([id, route]) => ({
    type: "model",
    id,
    display_name: `${id} (${route.backend} via ClickClack)`,
    created_at: "1970-01-01T00:00:00Z",
  }));
}

/** GET /anthropic/v1/models in Anthropic's list shape. */
export function anthropicModels(gw: Gateway): Response {
  const data = anthropicModelList(gw);
  return json({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
}

export function anthropicModel(gw: Gateway, id: string): Response {
  const one = anthropicModelList(gw).find((m) => m.id === id);
  if (!one) throw new HttpError(404, `model ${JSON.stringify(id)} not found`);
  return json(one);
}

const sse = (event: string, data: object) => `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;

export async function messages(gw: Gateway, caller: Caller): Promise<Response> {
  const raw = await readJson(caller.req, gw.maxBody);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new HttpError(400, "body must be a JSON object");
  const body = raw as Record<string, unknown>;
  if (typeof body.model !== "string" || !body.model) throw new HttpError(400, "model: field required");
  const model = body.model;
  const conv = parseConversation(body);
  const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;

  const run = startChat(gw, caller, model, conv);
  if (body.stream !== true) {
    const result = await run.result;
    if (result.status !== "completed") return failure(result);
    return json(
      {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [{ type: "text", text: result.text }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: usage(result.usage),
      },
      200,
      result.sessionId ? { "x-clickclack-session": result.sessionId } : {},
    );
  }

  const ready = await run.ready;
  if (ready.kind === "error") return fromError("anthropic", ready.error);
  if (ready.kind === "ended" && ready.result.status !== "completed") return failure(ready.result);

  // Until the backend says (Claude does in its first message_start), the input is estimated
  // from the request; message_delta carries the exact figures at the end.
  let early: Usage = { ...emptyUsage(), input_tokens: estimateTokens(body) };
  let started = false;
  const start = (w: StreamWriter) => {
    if (started) return;
    started = true;
    w.write(
      sse("message_start", {
        message: { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage(early), output_tokens: 0 } },
      }),
    );
    w.write(sse("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
    w.write(sse("ping", {}));
  };
  return streamResponse(
    run,
    "text/event-stream",
    async (w) => {
      for await (const e of run.events()) {
        if (e.type === "usage") early = e.usage;
        if (e.type === "text" && e.text) {
          start(w);
          w.write(sse("content_block_delta", { index: 0, delta: { type: "text_delta", text: e.text } }));
        }
      }
      start(w);
      const result = await run.result;
      if (result.status !== "completed") {
        w.write(`event: error\ndata: ${JSON.stringify(errorBody("anthropic", statusOf(result), result.error ?? `agent run ${result.status}`))}\n\n`);
        return;
      }
      w.write(sse("content_block_stop", { index: 0 }));
      w.write(sse("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: usage(result.usage) }));
      w.write(sse("message_stop", {}));
    },
    `event: ping\ndata: {"type":"ping"}\n\n`,
  );
}
