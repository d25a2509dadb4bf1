// Approvals from chat. When a bridged agent wants to use a tool its mode does not allow
// outright, Claude Code asks its permission-prompt tool (an MCP tool, see relay.ts); the
// relay asks this desk over loopback HTTP, the desk puts the question to the thread through
// a `Prompter` and waits for a member's answer. Unanswered requests expire and are denied.
//
// The Prompter posts a question card (issue #14: allow once / always / deny, answered by the
// person who started the turn, expiring with the request): a click comes back as the bot's
// `question.submitted` event and reaches `choose`. A plain reply ("allow", "always", "deny")
// still works through `answer`, for clients without cards.
import type { Server } from "bun";

export type Decision = { behavior: "allow"; updatedInput: unknown } | { behavior: "deny"; message: string };
export type Answer = "allow" | "always" | "deny";

export interface PermissionRequest {
  tool_name: string;
  input: unknown;
}

/** What the desk asks: the sentence for the thread and the card's parts. */
export interface ApprovalPrompt {
  text: string;
  request: PermissionRequest;
  expiresMs: number;
}

/** How a request ended: the answer and who gave it, or null when nobody answered in time. */
export interface ApprovalOutcome {
  note: string;
  answer: Answer | null;
  by: string | null;
}

/** How a question reaches the people in a conversation. */
export interface Prompter {
  ask(conversation: string, prompt: ApprovalPrompt): Promise<void>;
  /** Says how the request ended (answered, by whom, or expired), and closes the card. */
  settle(conversation: string, outcome: ApprovalOutcome): Promise<void>;
}

/** The card's one item and its options, in the order they are shown. */
export const APPROVAL_ITEM = "approval";
const CARD_OPTIONS: { label: string; description?: string; answer: Answer }[] = [
  { label: "Allow once", answer: "allow" },
  { label: "Always allow", description: "this tool, in this conversation", answer: "always" },
  { label: "Deny", answer: "deny" },
];
/** The server refuses cards that expire sooner than 10 s; the desk's own timer still decides. */
const CARD_MIN_LIFETIME_MS = 15_000;

/** The question card for a permission request: one single-choice item, for the given people. */
export function approvalCard(request: PermissionRequest, expiresMs: number, responderIds: string[], now = Date.now()) {
  return {
    title: "Tool approval",
    items: [{
      id: APPROVAL_ITEM,
      header: "Approve?",
      prompt: `The agent wants to use ${describe(request)}.`,
      options: CARD_OPTIONS.map(({ label, description }) => (description ? { label, description } : { label })),
    }],
    expires_at: new Date(now + Math.max(expiresMs, CARD_MIN_LIFETIME_MS)).toISOString(),
    ...(responderIds.length ? { responder_user_ids: responderIds } : {}),
  };
}

/** The answer a submitted card carries (`question.submitted` answers), or null. */
export function answerFromCard(answers: unknown): Answer | null {
  const picked = (answers as Record<string, unknown> | null)?.[APPROVAL_ITEM];
  const label = Array.isArray(picked) ? picked[0] : undefined;
  return CARD_OPTIONS.find((o) => o.label === label)?.answer ?? null;
}

/** The card label of an answer (to record a typed answer on the card). */
export function cardLabel(answer: Answer): string {
  return CARD_OPTIONS.find((o) => o.answer === answer)!.label;
}

interface Pending {
  conversation: string;
  request: PermissionRequest;
  resolve: (answer: { answer: Answer; by: string } | null) => void;
}

const ANSWERS: Record<string, Answer> = { allow: "allow", yes: "allow", always: "always", deny: "deny", no: "deny" };

/** "allow", "always" or "deny" (also yes/no), optionally after an @mention, else null. */
export function parseAnswer(body: string): Answer | null {
  const word = body.replace(/@[a-z0-9_-]+/gi, " ").trim().toLowerCase().replace(/[.!\s]+$/, "");
  return ANSWERS[word] ?? null;
}

/** What the agent wants, in one line for the thread. */
export function describe(r: PermissionRequest): string {
  const input = (r.input ?? {}) as Record<string, unknown>;
  const detail = typeof input.command === "string" ? input.command : typeof input.file_path === "string" ? input.file_path : JSON.stringify(r.input ?? {}).slice(0, 200);
  return `\`${r.tool_name}\` ${"`"}${detail.replaceAll("`", "'")}${"`"}`;
}

export class ApprovalDesk {
  private server: Server<unknown> | null = null;
  private readonly tokens = new Map<string, string>(); // token → conversation
  private readonly pending = new Map<string, Pending>(); // conversation → its open request
  private readonly always = new Set<string>(); // conversation \0 tool

  constructor(
    private readonly prompter: Prompter,
    private readonly expiresMs = 5 * 60_000,
  ) {}

  get url(): string {
    if (!this.server) throw new Error("approval desk not started");
    return `http://127.0.0.1:${this.server.port}/approve`;
  }

  start(): void {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      idleTimeout: 0,
      fetch: (req) => this.handle(req),
    });
  }

  stop(): void {
    for (const p of this.pending.values()) p.resolve(null);
    this.server?.stop(true);
  }

  /** A token for one run in `conversation`; the relay presents it. */
  open(conversation: string): { token: string; close: () => void } {
    const token = crypto.randomUUID();
    this.tokens.set(token, conversation);
    return { token, close: () => this.tokens.delete(token) };
  }

  /**
   * A message in a conversation: if it answers the open request there, it is taken (true).
   * The caller has already checked that its author may drive the agent.
   */
  answer(conversation: string, body: string, by: string): boolean {
    const answer = parseAnswer(body);
    return answer !== null && this.choose(conversation, answer, by);
  }

  /** An answer picked on the card (or typed) for the open request in `conversation`. */
  choose(conversation: string, answer: Answer, by: string): boolean {
    const p = this.pending.get(conversation);
    if (!p) return false;
    p.resolve({ answer, by });
    return true;
  }

  private async handle(req: Request): Promise<Response> {
    const token = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1] ?? "";
    const conversation = this.tokens.get(token);
    if (!conversation || req.method !== "POST") return new Response("forbidden", { status: 403 });
    const request = (await req.json().catch(() => null)) as PermissionRequest | null;
    if (!request || typeof request.tool_name !== "string") return new Response("bad request", { status: 400 });
    return Response.json(await this.decide(conversation, request));
  }

  private async decide(conversation: string, request: PermissionRequest): Promise<Decision> {
    if (this.always.has(`${conversation}\0${request.tool_name}`)) return { behavior: "allow", updatedInput: request.input };
    // One open question per conversation: a second waits for the first.
    while (this.pending.has(conversation)) await Bun.sleep(50);
    const answered = new Promise<{ answer: Answer; by: string } | null>((resolve) => {
      this.pending.set(conversation, { conversation, request, resolve });
    });
    const timer = setTimeout(() => this.pending.get(conversation)?.resolve(null), this.expiresMs);
    try {
      await this.prompter.ask(conversation, {
        text: `🔐 The agent wants to use ${describe(request)}. Choose on the card, or reply **allow** (once), **always** (this tool, this thread) or **deny**. Unanswered in ${Math.round(this.expiresMs / 1000)} s, it is denied.`,
        request,
        expiresMs: this.expiresMs,
      });
      const got = await answered;
      if (!got) {
        await this.prompter.settle(conversation, { note: `⌛ No answer: ${describe(request)} was denied.`, answer: null, by: null });
        return { behavior: "deny", message: "Nobody in the chat approved this in time." };
      }
      await this.prompter.settle(conversation, { note: `${got.answer === "deny" ? "🚫 Denied" : "✅ Allowed"} by @${got.by}: ${describe(request)}`, answer: got.answer, by: got.by });
      if (got.answer === "deny") return { behavior: "deny", message: `@${got.by} denied this in the chat.` };
      if (got.answer === "always") this.always.add(`${conversation}\0${request.tool_name}`);
      return { behavior: "allow", updatedInput: request.input };
    } finally {
      clearTimeout(timer);
      this.pending.delete(conversation);
    }
  }
}
