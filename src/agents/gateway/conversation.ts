// Chat APIs are stateless: every request carries the whole conversation. Agent CLIs are
// stateful sessions. We bridge the two by hashing the conversation so far; when a client
// sends the history we produced last time plus a new user turn, we resume that backend
// session with just the new turn instead of pasting the history into a fresh prompt.
import { createHash } from "node:crypto";
import type { RunOptions, RunResult } from "../run.ts";
import type { SessionStore } from "../sessions.ts";
import { HttpError } from "./http.ts";
import type { ModelRoute } from "./models.ts";

export interface Turn {
  role: "user" | "assistant";
  text: string;
}

export interface Conversation {
  system: string;
  turns: Turn[];
}

function keyOf(owner: string, model: string, system: string, turns: Turn[]): string {
  const h = createHash("sha256");
  // Whitespace at the edges is not meaningful and clients often trim what they echo back.
  h.update(JSON.stringify([owner, model, system.trim(), turns.map((t) => [t.role, t.text.trim()])]));
  return `conv_${h.digest("hex")}`;
}

export interface Prepared {
  opts: RunOptions;
  /** Key under which to store the session once the run has answered. */
  remember: (result: RunResult) => void;
  resumed: boolean;
}

function transcript(turns: Turn[]): string {
  return turns.map((t) => `[${t.role}]\n${t.text}`).join("\n\n");
}

/**
 * Plans the run for a conversation. `owner` scopes conversations to one API key so one
 * client can never continue another's session.
 */
export function prepare(
  conv: Conversation,
  owner: string,
  modelName: string,
  route: ModelRoute,
  store: SessionStore,
): Prepared {
  const last = conv.turns.at(-1);
  if (!last || last.role !== "user") throw new HttpError(400, "the last message must come from the user");
  if (last.text.trim() === "") throw new HttpError(400, "the last user message is empty");
  const prior = conv.turns.slice(0, -1);
  const found = prior.length ? store.conversation(keyOf(owner, modelName, conv.system, prior)) : null;
  const session = found && found.session.owner === owner ? found.session : null;
  // The session has moved on since this point of the conversation (the client regenerates
  // or edits an earlier turn): continuing it would answer after turns the client dropped.
  const advanced = session !== null && found?.runs != null && session.runs > found.runs;

  const opts: RunOptions = { prompt: last.text, backend: route.backend, owner: { owner } };
  if (route.model) opts.model = route.model;
  let resumed = false;
  if (session && session.backend === route.backend && session.backendSessionId && (!advanced || route.backend === "claude")) {
    opts.resume = session.id;
    // Claude can branch a conversation; the original stays as it was.
    if (advanced) opts.fork = true;
    resumed = true;
  } else if (prior.length) {
    // A history we never produced (another tool, an edited conversation): start a session
    // that sees it, clearly marked, rather than dropping it.
    opts.prompt = `Conversation so far:\n\n${transcript(prior)}\n\n[user]\n${last.text}`;
  }
  if (conv.system.trim()) {
    if (route.backend === "gemini") {
      // Gemini cannot take a system prompt on the command line; new sessions get it inline.
      if (!resumed) opts.prompt = `System instructions:\n${conv.system}\n\n${opts.prompt}`;
    } else {
      opts.systemPrompt = conv.system;
    }
  }
  return {
    opts,
    resumed,
    remember: (result) => {
      if (result.status !== "completed" || !result.sessionId) return;
      const next = [...conv.turns, { role: "assistant" as const, text: result.text }];
      store.saveConversation(keyOf(owner, modelName, conv.system, next), result.sessionId, store.get(result.sessionId)?.runs ?? null);
    },
  };
}
