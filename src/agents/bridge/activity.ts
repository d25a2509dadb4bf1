// A turn's visible work. The runner's events become (1) `agent.progress` ephemeral events, the
// live line under the message being answered, paced so a token stream does not turn into a
// request per token, and (2) `agent_tool` / `agent_commentary` thread replies tied to the turn,
// batched so a chatty tool loop posts a few messages rather than hundreds.
import type { AgentEvent } from "../backends/types.ts";

/** Where activity goes; the bridge implements it over the SDK. */
export interface ActivitySink {
  progress(payload: Record<string, unknown>): Promise<unknown>;
  post(kind: ActivityKind, body: string, n: number): Promise<unknown>;
}

export type ActivityKind = "agent_tool" | "agent_commentary";

/** `agent.progress` statuses; the last three end a turn (`done: true`). */
export type ProgressStatus = "queued" | "started" | "thinking" | "tool" | "writing" | "done" | "cancelled" | "failed";

export interface ActivityOptions {
  /** Minimum gap between two progress events. */
  progressEveryMs: number;
  /** How long activity lines wait for company before they are posted. */
  flushEveryMs: number;
  /** Lines per activity message. */
  linesPerMessage: number;
  /** Activity messages per turn; beyond it one last note says the rest was not recorded. */
  maxMessages: number;
}

export const ACTIVITY_DEFAULTS: ActivityOptions = { progressEveryMs: 400, flushEveryMs: 2_000, linesPerMessage: 12, maxMessages: 20 };

const STREAMING: ReadonlySet<ProgressStatus> = new Set(["thinking", "writing"]);
const MAX_PENDING_PROGRESS = 20;
const SNIPPET = 160;
const MESSAGE_CHARS = 4_000;

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
const tail = (s: string, n: number) => {
  const t = oneLine(s);
  return t.length > n ? `…${t.slice(t.length - n + 1)}` : t;
};
const head = (s: string, n: number) => {
  const t = oneLine(s);
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
};

/** The most telling field of a tool's input: the command, the path, the pattern… */
export function toolSummary(input: unknown): string {
  if (input && typeof input === "object") {
    const o = input as Record<string, unknown>;
    for (const k of ["command", "cmd", "file_path", "path", "pattern", "query", "url", "description", "prompt"]) {
      const v = o[k];
      if (typeof v === "string" && v.trim()) return head(v, 120);
      if (Array.isArray(v) && v.every((x) => typeof x === "string")) return head(v.join(" "), 120);
    }
    const json = JSON.stringify(o);
    return json === "{}" ? "" : head(json, 120);
  }
  return typeof input === "string" ? head(input, 120) : "";
}

export interface TurnInfo {
  turnId: string;
  triggerId: string;
  rootId: string;
  backend: string;
}

export class TurnActivity {
  private seq = 0;
  private pending: Record<string, unknown>[] = [];
  private sending: Promise<void> | null = null;
  private lastSentAt = 0;
  private thinking = "";
  /** Text since the last tool call: commentary if a tool call follows, else the answer. */
  private segment = "";
  private lines: { kind: ActivityKind; text: string }[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private posting: Promise<void> = Promise.resolve();
  private posted = 0;
  private tools = new Map<string, string>();

  constructor(
    private readonly turn: TurnInfo,
    private readonly sink: ActivitySink,
    private readonly opts: ActivityOptions = ACTIVITY_DEFAULTS,
  ) {}

  /** Publishes a progress status (paced; consecutive streaming updates coalesce). */
  status(status: ProgressStatus, text: string, extra: Record<string, unknown> = {}): void {
    const payload: Record<string, unknown> = {
      turn_id: this.turn.turnId,
      message_id: this.turn.triggerId,
      root_message_id: this.turn.rootId,
      backend: this.turn.backend,
      status,
      text,
      ...extra,
    };
    const last = this.pending[this.pending.length - 1];
    if (last && last.status === status && STREAMING.has(status)) this.pending[this.pending.length - 1] = payload;
    else this.pending.push(payload);
    // A stuck server must not grow the queue without bound: drop the oldest updates.
    while (this.pending.length > MAX_PENDING_PROGRESS) this.pending.shift();
    this.kick();
  }

  private kick(): void {
    if (this.sending) return;
    this.sending = this.sendLoop().finally(() => {
      this.sending = null;
      if (this.pending.length) this.kick();
    });
  }

  private async sendLoop(): Promise<void> {
    while (this.pending.length) {
      const wait = this.lastSentAt + this.opts.progressEveryMs - Date.now();
      if (wait > 0) await Bun.sleep(wait);
      const payload = this.pending.shift();
      if (!payload) break;
      payload.seq = ++this.seq;
      this.lastSentAt = Date.now();
      await this.sink.progress(payload).catch(() => {});
    }
  }

  /** Feeds one runner event. */
  event(e: AgentEvent): void {
    switch (e.type) {
      case "init":
        this.status("started", `${this.turn.backend} is working…`);
        break;
      case "thinking":
        this.thinking += e.text;
        this.status("thinking", `Thinking: ${tail(this.thinking, SNIPPET)}`);
        break;
      case "text":
        this.segment += e.text;
        this.status("writing", `Writing: ${tail(this.segment, SNIPPET)}`);
        break;
      case "tool_use": {
        if (this.segment.trim()) this.line("agent_commentary", this.segment.trim());
        this.segment = "";
        this.thinking = "";
        const summary = toolSummary(e.input);
        this.tools.set(e.id, e.name);
        this.status("tool", summary ? `${e.name}: ${summary}` : e.name, { tool: { name: e.name, summary } });
        this.line("agent_tool", `**${e.name}**${summary ? ` \`${summary.replace(/`/g, "'")}\`` : ""}`);
        break;
      }
      case "tool_result":
        if (e.is_error) {
          const name = this.tools.get(e.id) ?? "tool";
          this.line("agent_tool", `↳ ${name} failed: ${head(e.output, 200) || "(no output)"}`);
        }
        break;
      default:
        break;
    }
  }

  /** The answer: the text after the last tool call (earlier text was commentary). */
  answer(): string {
    return this.segment.trim();
  }

  private line(kind: ActivityKind, text: string): void {
    this.lines.push({ kind, text: text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS - 1)}…` : text });
    if (this.lines.length >= this.opts.linesPerMessage) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.opts.flushEveryMs);
  }

  /** Posts the buffered lines: consecutive lines of one kind share a message. */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.lines;
    this.lines = [];
    const groups: { kind: ActivityKind; texts: string[] }[] = [];
    for (const l of batch) {
      const g = groups[groups.length - 1];
      const size = g ? g.texts.reduce((n, t) => n + t.length + 1, 0) : 0;
      if (g && g.kind === l.kind && g.texts.length < this.opts.linesPerMessage && size + l.text.length < MESSAGE_CHARS) g.texts.push(l.text);
      else groups.push({ kind: l.kind, texts: [l.text] });
    }
    for (const g of groups) {
      if (this.posted > this.opts.maxMessages) return;
      const n = ++this.posted;
      const body = n > this.opts.maxMessages ? "… further activity of this turn was not recorded." : g.texts.join("\n");
      const kind = n > this.opts.maxMessages ? "agent_commentary" : g.kind;
      this.posting = this.posting.then(() => this.sink.post(kind, body, n).then(() => {}, () => {}));
    }
  }

  /** Posts what is still buffered, then the terminal progress event; resolves when both are out. */
  async finish(status: "done" | "cancelled" | "failed", text: string): Promise<void> {
    this.flush();
    await this.posting;
    this.status(status, text, { done: true });
    while (this.sending) await this.sending;
  }

  /** Stops timers without posting (the bridge is going away). */
  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.pending = [];
  }
}
