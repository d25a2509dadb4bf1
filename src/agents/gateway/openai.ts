// OpenAI-compatible surface: GET /openai/v1/models, POST /openai/v1/chat/completions.
// Unknown request fields (temperature, tools, …) are ignored, as OpenAI-compatible servers do.
import type { Usage } from "../backends/types.ts";
import type { RunResult } from "../run.ts";
import { startChat, textContent } from "./chat.ts";
import type { Caller, Gateway } from "./context.ts";
import type { Conversation, Turn } from "./conversation.ts";
import { errorBody, errorResponse, fromError, HttpError, json, readJson } from "./http.ts";
import { retryHeaders, statusOf, streamResponse } from "./stream.ts";

export function listModels(gw: Gateway): Response {
  return json({
    object: "list",
    data: [...gw.models.entries()].map(([id, route]) => ({
      id,
      object: "model",
      created: 0,
      owned_by: `clickclack-${route.backend}`,
    })),
  });
}

export function getModel(gw: Gateway, id: string): Response {
  const route = gw.models.get(id);
  if (!route) throw new HttpError(404, `model ${JSON.stringify(id)} not found`);
  return json({ id, object: "model", created: 0, owned_by: `clickclack-${route.backend}` });
}

function parseConversation(body: Record<string, unknown>): Conversation {
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new HttpError(400, "messages must be a non-empty array");
  }
  const system: string[] = [];
  const turns: Turn[] = [];
  for (const [i, raw] of body.messages.entries()) {
    const m = raw as { role?: unknown; content?: unknown } | null;
    if (!m || typeof m !== "object") throw new HttpError(400, `messages[${i}] must be an object`);
    const text = textContent(m.content, `messages[${i}].content`);
    switch (m.role) {
      case "system":
      case "developer":
        system.push(text);
        break;
      case "user":
      case "assistant":
        turns.push({ role: m.role, text });
        break;
      default:
        throw new HttpError(400, `messages[${i}].role ${JSON.stringify(m.role)} is not supported (system, developer, user, assistant)`);
    }
  }
  return { system: system.join("\n\n"), turns };
}

function usage(u: Usage) {
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.input_tokens + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_tokens },
    completion_tokens_details: { reasoning_tokens: u.reasoning_tokens },
  };
}

function failure(r: RunResult): Response {
  return errorResponse("openai", statusOf(r), r.error ?? `agent run ${r.status}`, retryHeaders(r));
}

export async function chatCompletions(gw: Gateway, caller: Caller): Promise<Response> {
  const raw = await readJson(caller.req, gw.maxBody);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new HttpError(400, "body must be a JSON object");
  const body = raw as Record<string, unknown>;
  if (typeof body.model !== "string" || !body.model) throw new HttpError(400, "model is required");
  const model = body.model;
  const conv = parseConversation(body);
  const stream = body.stream === true;
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const id = `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;
  const created = Math.floor(Date.now() / 1000);

  const run = startChat(gw, caller, model, conv);
  if (!stream) {
    const result = await run.result;
    if (result.status !== "completed") return failure(result);
    return json(
      {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: result.text, refusal: null }, logprobs: null, finish_reason: "stop" }],
        usage: usage(result.usage),
        system_fingerprint: null,
      },
      200,
      result.sessionId ? { "x-clickclack-session": result.sessionId } : {},
    );
  }

  const ready = await run.ready;
  if (ready.kind === "error") return fromError("openai", ready.error);
  if (ready.kind === "ended" && ready.result.status !== "completed") return failure(ready.result);

  const chunk = (delta: object, finish: string | null, extra: object = {}) =>
    `data: ${JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    })}\n\n`;

  return streamResponse(
    run,
    "text/event-stream",
    async (w) => {
      w.write(chunk({ role: "assistant", content: "" }, null));
      for await (const e of run.events()) {
        if (e.type === "text" && e.text) w.write(chunk({ content: e.text }, null));
      }
      const result = await run.result;
      if (result.status !== "completed") {
        // Headers are gone; OpenAI clients raise on an `error` object in the stream.
        w.write(`data: ${JSON.stringify(errorBody("openai", statusOf(result), result.error ?? `agent run ${result.status}`))}\n\n`);
      } else {
        w.write(chunk({}, "stop"));
        if (includeUsage) {
          w.write(
            `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, system_fingerprint: null, choices: [], usage: usage(result.usage) })}\n\n`,
          );
        }
      }
      w.write("data: [DONE]\n\n");
    },
    ": keep-alive\n\n",
  );
}
