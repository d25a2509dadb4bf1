// Approvals from chat. When a bridged agent wants to use a tool its mode does not allow
// outright, Claude Code asks its permission-prompt tool (an MCP tool, see relay.ts); the
// relay asks this desk over loopback HTTP, the desk puts the question to the thread through
// a `Prompter` and waits for a member's answer. Unanswered requests expire and are denied.
//
// The Prompter is the seam for the question cards of the bot platform (issue #14): today it
// posts a plain thread message and answers are replies ("allow", "always", "deny"). Cards
// would need, in storage, a question row (id, turn, options, expires_at, answered_by,
// answer) so that a click survives a bridge restart; the desk itself would not change.
import type { Server } from "bun";

export type Decision = { behavior: "allow"; updatedInput: unknown } | { behavior: "deny"; message: string };
export type Answer = "allow" | "always" | "deny";

export interface PermissionRequest {
  tool_name: string;
  input: unknown;
}

/** How a question reaches the people in a conversation. */
export interface Prompter {
  ask(conversation: string, question: string): Promise<void>;
  /** Says how the request ended (answered, by whom, or expired). */
  settle(conversation: string, note: string): Promise<void>;
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
    const p = this.pending.get(conversation);
    const answer = parseAnswer(body);
    if (!p || !answer) return false;
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
      await this.prompter.ask(
        conversation,
        `🔐 The agent wants to use ${describe(request)}. Reply **allow** (once), **always** (this tool, this thread) or **deny**. Unanswered in ${Math.round(this.expiresMs / 1000)} s, it is denied.`,
      );
      const got = await answered;
      if (!got) {
        await this.prompter.settle(conversation, `⌛ No answer: ${describe(request)} was denied.`);
        return { behavior: "deny", message: "Nobody in the chat approved this in time." };
      }
      await this.prompter.settle(conversation, `${got.answer === "deny" ? "🚫 Denied" : "✅ Allowed"} by @${got.by}: ${describe(request)}`);
      if (got.answer === "deny") return { behavior: "deny", message: `@${got.by} denied this in the chat.` };
      if (got.answer === "always") this.always.add(`${conversation}\0${request.tool_name}`);
      return { behavior: "allow", updatedInput: request.input };
    } finally {
      clearTimeout(timer);
      this.pending.delete(conversation);
    }
  }
}
