// The part the OpenAI and Anthropic adapters share: model lookup, conversation → session,
// server policy, and launching the run.
import { admit } from "./admit.ts";
import type { Caller, Gateway } from "./context.ts";
import { type Conversation, prepare } from "./conversation.ts";
import { HttpError } from "./http.ts";
import { type Launched, launch } from "./launch.ts";

export function startChat(gw: Gateway, caller: Caller, modelName: string, conv: Conversation): Launched {
  const route = gw.models.get(modelName);
  if (!route) throw new HttpError(404, `model ${JSON.stringify(modelName)} not found (GET /openai/v1/models lists them)`);
  const prepared = prepare(conv, caller.owner, modelName, route, gw.store);
  const workdir = caller.req.headers.get("x-clickclack-workdir");
  if (workdir && !prepared.resumed) prepared.opts.workdir = workdir;
  // Chat clients cannot add fields to the body; a header picks the profile.
  const opts = admit(gw, caller, prepared.opts, caller.req.headers.get("x-clickclack-profile") ?? undefined);
  const run = launch(opts, gw.run, caller.signal);
  gw.track(run.result).then(prepared.remember, () => undefined);
  return run;
}

/** Text of a message's content: a string, or an array of text parts. */
export function textContent(content: unknown, where: string, ignore: string[] = []): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (!Array.isArray(content)) throw new HttpError(400, `${where} must be a string or an array of content parts`);
  const out: string[] = [];
  for (const [i, part] of content.entries()) {
    const p = part as { type?: unknown; text?: unknown } | null;
    if (!p || typeof p !== "object") throw new HttpError(400, `${where}[${i}] must be an object`);
    if (p.type === "text" || p.type === "input_text") {
      if (typeof p.text !== "string") throw new HttpError(400, `${where}[${i}].text must be a string`);
      out.push(p.text);
    } else if (typeof p.type === "string" && ignore.includes(p.type)) {
      continue;
    } else {
      // Agent CLIs take text on stdin; dropping an image silently would answer a different question.
      throw new HttpError(400, `${where}[${i}]: content type ${JSON.stringify(p.type)} is not supported (text only)`);
    }
  }
  return out.join("\n");
}
