// The chat bridge: a bot that answers when it is @mentioned in a channel or written to in a DM,
// with one agent session per thread (a DM's top level is one conversation too). Each accepted
// message becomes a turn: recorded before the event is acknowledged, run one at a time per
// conversation under a concurrency cap, shown live (agent.progress, activity messages) and
// answered once (the answer's nonce is derived from the triggering message).
import { join } from "node:path";
import { realpathSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import {
  backoffDelay,
  type Channel,
  ClickClackBot,
  ClickClackClient,
  ClickClackError,
  type Message,
  type RealtimeEvent,
  type User,
} from "../../../sdk/src/index.ts";
import { FileCursorStore } from "../../../sdk/src/file-cursor-store.ts";
import { LIMITS } from "../../chat/rules.ts";
import { AgentError } from "../errors.ts";
import { Limiter } from "../limiter.ts";
import { answerFromCard, type ApprovalOutcome, type ApprovalPrompt, approvalCard, ApprovalDesk, APPROVAL_ITEM, cardLabel } from "../approvals/desk.ts";
import { PERMISSION_PROMPT_TOOL, RELAY_SERVER, relayCommandLine } from "../approvals/relay.ts";
import { applyProfile, getProfile, type Profile, type Profiles } from "../profiles.ts";
import { type RunOptions, type RunResult, runAgent } from "../run.ts";
import { ACTIVITY_DEFAULTS, type ActivityOptions, type ActivitySink, TurnActivity } from "./activity.ts";
import { CONTEXT_LIMITS, chatSystemPrompt, type ContextLimits, prompt, transcript } from "./context.ts";
import { People, personLabel } from "./people.ts";
import { BridgeState, type TurnPlace, type TurnStatus } from "./state.ts";
import { addresses, DRIVER_ROLES, isStopCommand, isStopEmoji, nonces, othersAddressed, turnIdFor } from "./triggers.ts";

export interface BridgeOptions {
  server: string;
  token: string;
  workspaceId: string;
  /** Agent run options shared by every turn (backend, model, workdir, approval, timeouts…). */
  run: Omit<RunOptions, "prompt" | "resume" | "fork" | "ephemeral" | "autoResume" | "dryRun">;
  maxConcurrent: number;
  stateDir: string;
  /** Team profiles; its "channels" map picks the profile a channel's turns run under. */
  profiles?: Profiles | null;
  /**
   * Approvals from chat (claude only): a tool the mode does not allow becomes a question in
   * the thread, answered by a member; unanswered after this many ms it is denied.
   */
  approvalsExpireMs?: number;
  context?: ContextLimits;
  activity?: ActivityOptions;
  /** Environment of the agent CLI (default: this process's, without ClickClack credentials). */
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /** The server refused the token while running (revoked, bot removed): the bridge has stopped listening. */
  onFatal?: (err: unknown) => void;
}

interface Turn extends TurnPlace {
  turnId: string;
  abort: AbortController;
  running: boolean;
  cancelledBy: string | null;
}

/** Variables the agent has no business seeing: it runs arbitrary commands. */
const PRIVATE_ENV = ["CLICKCLACK_TOKEN", "CLICKCLACK_SERVER", "CLICKCLACK_WORKSPACE"];
const SHUTDOWN_GRACE_MS = 10_000;

const str = (v: unknown) => (typeof v === "string" && v ? v : null);
const isConflict = (err: unknown) => err instanceof ClickClackError && err.status === 409;
const errorText = (err: unknown) => (err instanceof ClickClackError ? err.detail || err.message : err instanceof Error ? err.message : String(err));

/** Splits an answer into bodies the server accepts, preferring line breaks. */
export function splitBody(body: string, max: number = LIMITS.bodyMaxChars): string[] {
  const parts: string[] = [];
  let rest = body;
  while (rest.length > max) {
    const cut = rest.lastIndexOf("\n", max);
    const at = cut > max / 2 ? cut : max;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, "");
  }
  parts.push(rest);
  return parts;
}

export class ChatBridge {
  readonly client: ClickClackClient;
  private readonly bot: ClickClackBot;
  private readonly people: People;
  private readonly limiter: Limiter;
  private readonly log: (line: string) => void;
  private readonly backend: string;
  private readonly workdir: string;
  private me!: User;
  private state!: BridgeState;
  private desk: ApprovalDesk | null = null;
  private approvalPosts = 0;
  /** The open approval card of each conversation, and back: a click arrives as question.submitted. */
  private cards = new Map<string, string>();
  private cardConversations = new Map<string, string>();
  /** Live (queued or running) turns by conversation, in order; the head is the one that runs next. */
  private conversations = new Map<string, Turn[]>();
  /** Turns whose conversation is free, waiting for a slot. */
  private ready: Turn[] = [];
  private active = 0;
  private finished = new Set<Promise<void>>();
  private stopping = false;
  private channelNames = new Map<string, string>();
  private warned = new Set<string>();

  constructor(private readonly opts: BridgeOptions) {
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.backend = opts.run.backend ?? "claude";
    this.workdir = realpathSync(resolvePath(opts.run.workdir ?? process.cwd()));
    this.limiter = new Limiter(opts.maxConcurrent);
    this.bot = new ClickClackBot({
      baseUrl: opts.server,
      token: opts.token,
      workspaceId: opts.workspaceId,
      cursorStore: new FileCursorStore(join(opts.stateDir, "cursors")),
      onEvent: (event) => this.onEvent(event),
      onError: (err, event) => {
        this.log(`bridge: ${event ? `event ${event.id} (${event.type}): ` : ""}${errorText(err)}`);
        if (!event && err instanceof ClickClackError && (err.status === 401 || err.status === 403)) opts.onFatal?.(err);
      },
      onResync: ({ from, to }) => this.log(`bridge: the server no longer had events after ${from}; continuing from ${to}`),
    });
    this.client = this.bot.client;
    this.people = new People(this.client, opts.workspaceId);
  }

  get user(): User {
    return this.me;
  }

  /** Connects, then picks up turns a previous run accepted but did not finish. */
  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.me = await this.client.me();
        break;
      } catch (err) {
        if (!(err instanceof ClickClackError && err.status === 0)) throw err;
        if (attempt === 0) this.log(`bridge: ${this.opts.server} is unreachable; retrying`);
        await Bun.sleep(backoffDelay(attempt));
      }
    }
    this.state = new BridgeState(this.opts.stateDir, this.me.id);
    await this.people.reload();
    if (this.opts.approvalsExpireMs !== undefined) {
      this.desk = new ApprovalDesk(
        { ask: (key, prompt) => this.askApproval(key, prompt), settle: (key, outcome) => this.settleApproval(key, outcome) },
        this.opts.approvalsExpireMs,
      );
      this.desk.start();
    }
    await this.bot.start();
    await this.recover();
  }

  /** An approval question or its outcome, in the thread (or DM) of the conversation's running turn. */
  private async postApproval(key: string, body: string, question?: ReturnType<typeof approvalCard>): Promise<Message | null> {
    const turn = this.live((t) => t.key === key && t.running)[0];
    if (!turn) return null;
    const nonce = `bridge:${turn.triggerId}:approval:${++this.approvalPosts}`;
    const input = { body, nonce, ...(question ? { question } : {}) };
    return turn.answerInThread ? this.client.threads.reply(turn.rootId, input) : this.client.dms.sendMessage(turn.dmId ?? "", input);
  }

  /** The question card, answerable by the person whose message started the turn. */
  private async askApproval(key: string, prompt: ApprovalPrompt): Promise<void> {
    const turn = this.live((t) => t.key === key && t.running)[0];
    if (!turn) return;
    const trigger = await this.client.messages.get(turn.triggerId).catch(() => null);
    const posted = await this.postApproval(key, prompt.text, approvalCard(prompt.request, prompt.expiresMs, trigger ? [trigger.author_id] : []));
    if (!posted) return;
    this.cards.set(key, posted.id);
    this.cardConversations.set(posted.id, key);
  }

  /** Says how it ended and closes the card (a typed answer is recorded on it; no answer cancels it). */
  private async settleApproval(key: string, outcome: ApprovalOutcome): Promise<void> {
    await this.postApproval(key, outcome.note);
    const cardId = this.cards.get(key);
    if (!cardId) return;
    this.cards.delete(key);
    this.cardConversations.delete(cardId);
    const card = await this.client.questions.get(cardId).catch(() => undefined);
    if (!card) return;
    const resolution = !outcome.answer
      ? { status: "cancelled" as const, note: "No answer in time: denied." }
      : card.status === "open"
        ? { status: "answered" as const, answers: { [APPROVAL_ITEM]: [cardLabel(outcome.answer)] }, note: `Answered in the thread by @${outcome.by}` }
        : { status: "answered" as const, note: outcome.answer === "deny" ? "Denied" : "Allowed" };
    await this.client.questions.resolve(cardId, resolution).catch((err) => this.warn("approval card", err));
  }

  /** A click on an approval card: a member's answer reaches the desk. */
  private async onQuestionSubmitted(event: RealtimeEvent): Promise<void> {
    const key = this.cardConversations.get(str(event.payload.message_id) ?? "");
    const by = str(event.payload.answered_by);
    if (!key || !by) return;
    const person = await this.people.get(by);
    const answer = answerFromCard(event.payload.answers);
    if (!person || !DRIVER_ROLES.has(person.role) || !answer) return;
    this.desk?.choose(key, answer, person.user.handle);
  }

  /** Stops listening, interrupts running turns (saying so in their threads) and closes the state. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.bot.stop();
    // Queued turns stay queued in the state file: the next start runs them.
    this.ready = [];
    for (const [key, turns] of this.conversations) this.conversations.set(key, turns.filter((t) => t.running));
    for (const turns of this.conversations.values()) for (const t of turns) t.abort.abort(new Error("bridge shutting down"));
    this.desk?.stop();
    await Promise.race([Promise.all(this.finished), Bun.sleep(SHUTDOWN_GRACE_MS)]);
    this.state?.close();
  }

  // ---- Events ----

  private async onEvent(event: RealtimeEvent): Promise<void> {
    if (this.stopping) return;
    if (event.type === "message.created" || event.type === "thread.reply_created") await this.onMessage(event);
    else if (event.type === "reaction.added") await this.onReaction(event);
    else if (event.type === "question.submitted") await this.onQuestionSubmitted(event);
  }

  private live(pred: (t: Turn) => boolean): Turn[] {
    return [...this.conversations.values()].flat().filter(pred);
  }

  private async onMessage(event: RealtimeEvent): Promise<void> {
    const p = event.payload;
    const messageId = str(p.message_id);
    if (!messageId || (p.kind && p.kind !== "message")) return;
    if (this.state.hasTurn(messageId)) return; // a replay of an event already turned into a turn
    const dmId = str(p.direct_conversation_id);
    const rootId = event.type === "thread.reply_created" ? str(p.root_message_id) : null;
    // A DM is one conversation (top level and threads); in a channel, each thread is one.
    const key = dmId ? `dm:${dmId}` : (rootId ?? messageId);
    const mentioned = (event.mentioned_user_ids ?? []).includes(this.me.id);
    const known = this.state.knows(key) || this.live((t) => t.key === key).length > 0;
    if (!dmId && !mentioned && !known) return;

    const message = await this.client.messages.get(messageId);
    if (message.deleted_at) return;
    const author = await this.people.get(message.author_id);
    if (!author || !DRIVER_ROLES.has(author.role)) {
      if (mentioned || dmId) this.log(`bridge: ignoring ${messageId}: ${author ? `@${author.user.handle} is a ${author.role}` : "the author is not a member"}`);
      return;
    }
    // An answer to the agent's open permission question (only members get this far).
    if (this.desk?.answer(key, message.body, author.user.handle)) return;
    const handle = this.me.handle;
    if (isStopCommand(message.body, handle)) {
      await this.cancel(this.live((t) => t.key === key), author.user);
      return;
    }
    const forMe = addresses(message.body, handle);
    // In a channel, a conversation starts only with a real @mention (never @channel/@here).
    if (!dmId && !known && !(mentioned && forMe)) return;
    // A message in my thread (or DM) that names only other people is not for me.
    if (!forMe && othersAddressed(message.body, handle).length > 0) return;

    const place: TurnPlace = {
      triggerId: messageId,
      key,
      rootId: rootId ?? messageId,
      channelId: message.channel_id ?? null,
      dmId,
      answerInThread: !(dmId && !rootId),
    };
    if (!this.state.addTurn(place)) return;
    await this.schedule(this.turnOf(place));
  }

  private async onReaction(event: RealtimeEvent): Promise<void> {
    const p = event.payload;
    const emoji = str(p.emoji);
    const target = str(p.message_id);
    if (!emoji || !target || !isStopEmoji(emoji)) return;
    const turns = this.live((t) => t.triggerId === target || t.rootId === target);
    if (turns.length === 0) return;
    const who = await this.people.get(str(p.user_id) ?? "");
    if (!who || !DRIVER_ROLES.has(who.role)) return;
    await this.cancel(turns, who.user);
  }

  // ---- Scheduling ----

  private turnOf(place: TurnPlace): Turn {
    return { ...place, turnId: turnIdFor(place.triggerId), abort: new AbortController(), running: false, cancelledBy: null };
  }

  /** Queues a turn behind its conversation and the concurrency cap; says so when it must wait. */
  private async schedule(turn: Turn): Promise<void> {
    const line = this.conversations.get(turn.key) ?? [];
    line.push(turn);
    this.conversations.set(turn.key, line);
    let ahead = line.length - 1;
    if (ahead === 0) {
      this.ready.push(turn);
      this.pump();
      if (turn.running) return;
      ahead = this.ready.indexOf(turn) + 1;
    }
    await this.sayQueued(turn, ahead);
  }

  private pump(): void {
    while (!this.stopping && this.active < this.opts.maxConcurrent && this.ready.length > 0) {
      const turn = this.ready.shift() as Turn;
      turn.running = true;
      this.active += 1;
      const done = this.execute(turn).finally(() => {
        this.active -= 1;
        this.finished.delete(done);
        this.remove(turn);
        this.pump();
      });
      this.finished.add(done);
    }
  }

  /** Takes a turn out of line; when it headed its conversation, the next one there gets in line for a slot. */
  private remove(turn: Turn): void {
    const line = this.conversations.get(turn.key) ?? [];
    const wasHead = line[0] === turn;
    this.ready = this.ready.filter((t) => t !== turn);
    const rest = line.filter((t) => t !== turn);
    if (rest.length === 0) {
      this.conversations.delete(turn.key);
      return;
    }
    this.conversations.set(turn.key, rest);
    if (wasHead) this.ready.push(rest[0] as Turn);
  }

  private async cancel(turns: Turn[], by: User): Promise<void> {
    for (const turn of turns) {
      turn.cancelledBy = personLabel(by);
      if (turn.running) {
        this.log(`bridge: ${turn.turnId} cancelled by @${by.handle}`);
        turn.abort.abort(new Error("cancelled"));
        continue;
      }
      // Not started yet: take it out of line and close it with a short answer.
      this.remove(turn);
      this.pump();
      this.state.setStatus(turn.triggerId, "cancelled");
      await this.progress(turn, { status: "cancelled", text: `Cancelled by ${turn.cancelledBy}`, done: true });
      await this.answer(turn, `Cancelled by ${turn.cancelledBy} before it started.`).catch((err) => this.warn("answer", err));
    }
  }

  /** Turns accepted by an earlier run: queued ones run now; running ones were cut off, and say so. */
  private async recover(): Promise<void> {
    for (const rec of this.state.unfinished()) {
      const turn = this.turnOf(rec);
      if (rec.status === "queued") {
        await this.schedule(turn);
        continue;
      }
      this.state.setStatus(rec.triggerId, "interrupted");
      await this.answer(turn, "⚠️ I was restarted while working on this, so that turn was cut off. Reply here to pick it up again.").catch((err) =>
        this.warn("answer", err),
      );
    }
  }

  // ---- One turn ----

  private async execute(turn: Turn): Promise<void> {
    this.state.setStatus(turn.triggerId, "running");
    let status: TurnStatus = "failed";
    const activity = new TurnActivity({ turnId: turn.turnId, triggerId: turn.triggerId, rootId: turn.rootId, backend: this.backend }, this.sink(turn), this.opts.activity ?? ACTIVITY_DEFAULTS);
    try {
      // Answered already (an event replayed after a crash, or a lost state file)?
      if (await this.client.messages.findByNonce(this.opts.workspaceId, nonces.answer(turn.triggerId))) {
        status = "done";
        return;
      }
      activity.status("started", "Reading the conversation…");
      const trigger = await this.client.messages.get(turn.triggerId);
      const session = this.state.conversation(turn.key);
      const resume = session?.backendSessionId && session.backend === this.backend && session.workdir === this.workdir ? session.id : undefined;
      let result: RunResult;
      try {
        let run = await this.runOnce(turn, trigger, activity, resume);
        // The CLI no longer has the session (its files were cleaned up): start over, with context.
        if (resume && run.result.status === "failed" && !run.started && !turn.abort.signal.aborted) {
          this.log(`bridge: ${turn.turnId}: could not resume ${resume} (${run.result.error ?? "failed"}); starting a new session`);
          run = await this.runOnce(turn, trigger, activity, undefined);
        }
        result = run.result;
      } catch (err) {
        if (!(err instanceof AgentError)) throw err;
        await activity.finish("failed", err.message);
        await this.answer(turn, `⚠️ ${this.backend} could not start: ${err.message}`);
        return;
      }
      const seq = this.seqOf(turn, trigger);
      if (seq > 0) this.state.markSeen(turn.key, seq);
      status = this.stopping && result.status === "cancelled" ? "interrupted" : result.status === "completed" ? "done" : result.status === "cancelled" ? "cancelled" : "failed";
      const answer = activity.answer() || result.text.trim();
      const [final, body] = this.closing(turn, result, status, answer);
      await activity.finish(final, body.split("\n")[0]?.slice(0, 200) ?? "");
      await this.answer(turn, body);
    } catch (err) {
      status = "failed";
      this.log(`bridge: ${turn.turnId} failed: ${errorText(err)}`);
      if (!this.stopping) await this.answer(turn, `⚠️ Something went wrong on my side: ${errorText(err)}`).catch(() => {});
    } finally {
      activity.dispose();
      try {
        this.state.setStatus(turn.triggerId, status);
      } catch (err) {
        // Only after a shutdown that did not wait for this turn (the state is closed).
        this.log(`bridge: could not record ${turn.turnId}: ${errorText(err)}`);
      }
    }
  }

  /** One run of the agent: a new session (told the conversation so far) or a resumed one. */
  private async runOnce(turn: Turn, trigger: Message, activity: TurnActivity, resume: string | undefined): Promise<{ result: RunResult; started: boolean }> {
    const text = await this.promptFor(turn, trigger, resume !== undefined);
    const run = this.opts.run;
    const options: RunOptions = resume
      ? { ...run, backend: undefined, workdir: undefined, prompt: text, resume }
      : {
          ...run,
          prompt: text,
          title: trigger.body.trim().split("\n")[0]?.slice(0, 80) || "chat",
          tags: ["chat", `workspace:${this.opts.workspaceId}`, `thread:${turn.rootId}`],
        };
    const profile = await this.profileFor(turn);
    const shaped = profile ? applyProfile(options, profile) : options;
    shaped.systemPrompt = chatSystemPrompt(this.me.handle, shaped.systemPrompt);
    // Only Claude Code has a permission-prompt hook; other backends (a channel profile may
    // pick one) stay non-interactive.
    const backend = shaped.backend ?? profile?.backend ?? run.backend ?? "claude";
    const gate = backend === "claude" ? this.desk?.open(turn.key) : undefined;
    if (gate && this.desk) {
      const relay = relayCommandLine();
      shaped.mcpServers = {
        ...shaped.mcpServers,
        [RELAY_SERVER]: { ...relay, env: { CLICKCLACK_APPROVAL_URL: this.desk.url, CLICKCLACK_APPROVAL_TOKEN: gate.token } },
      };
      shaped.permissionPromptTool = PERMISSION_PROMPT_TOOL;
    }
    let started = false;
    const result = await runAgent(shaped, {
      onFinish: () => gate?.close(),
      signal: turn.abort.signal,
      store: this.state.sessions,
      env: this.agentEnv(),
      limiter: this.limiter,
      onEvent: (e) => {
        if (e.type === "init") {
          started = true;
          // The conversation is bound to its session as soon as the CLI has one.
          if (e.session_id && !resume) this.state.saveConversation(turn.key, e.session_id);
        }
        activity.event(e);
      },
    });
    return { result, started };
  }

  /** The profile for a channel (by id, or by name without "#"); DMs use the bridge's flags. */
  private async profileFor(turn: Turn): Promise<Profile | null> {
    const profiles = this.opts.profiles;
    if (!profiles || !turn.channelId) return null;
    const byId = profiles.channels.get(turn.channelId);
    if (byId) return getProfile(profiles, byId);
    const name = (await this.where(turn)).replace(/^#/, "");
    const byName = profiles.channels.get(name);
    return byName ? getProfile(profiles, byName) : null;
  }

  /**
   * Where a message sits in its conversation: its thread sequence in a channel thread, its DM
   * sequence at a DM's top level (0 for a reply inside a DM thread, which has neither in common).
   */
  private seqOf(turn: Turn, m: Message): number {
    return (turn.dmId ? m.channel_seq : m.thread_seq) ?? 0;
  }

  /** The terminal progress status and the answer's body. */
  private closing(turn: Turn, result: RunResult, status: TurnStatus, answer: string): ["done" | "cancelled" | "failed", string] {
    if (status === "done") return ["done", answer || "_(no answer)_"];
    if (status === "interrupted") return ["cancelled", "⚠️ Interrupted: the bridge shut down before I finished. Reply here to pick it up again."];
    if (status === "cancelled") return ["cancelled", `Stopped${turn.cancelledBy ? ` by ${turn.cancelledBy}` : ""}.`];
    const why = result.status === "timeout" ? result.error ?? "timed out" : result.error ?? "the agent failed";
    return ["failed", `⚠️ ${this.backend} failed: ${why}${answer ? `\n\n${answer}` : ""}`];
  }

  private agentEnv(): Record<string, string | undefined> {
    const env = { ...(this.opts.env ?? process.env) };
    for (const k of PRIVATE_ENV) delete env[k];
    return env;
  }

  private nameOf(m: Message): string {
    if (m.author_id === this.me.id) return `you (@${this.me.handle})`;
    return personLabel(m.author ?? this.people.peek(m.author_id)?.user, m.author_id);
  }

  private async where(turn: Turn): Promise<string> {
    if (turn.dmId) return "a direct message";
    const id = turn.channelId ?? "";
    let name = this.channelNames.get(id);
    if (!name) {
      const channel: Channel | null = await this.client.channels.get(id).catch(() => null);
      name = channel ? `#${channel.name}` : "a channel";
      this.channelNames.set(id, name);
    }
    return name;
  }

  /**
   * A first turn carries the conversation so far; a resumed one only what the agent has not seen
   * since its last turn (messages it was not asked about), as its session remembers the rest.
   */
  private async promptFor(turn: Turn, trigger: Message, resumed: boolean): Promise<string> {
    const limits = this.opts.context ?? CONTEXT_LIMITS;
    const fetchLimit = Math.min(LIMITS.pageMax, limits.messages + 10);
    const speaker = this.nameOf(trigger);
    const where = await this.where(turn);
    const inThread = trigger.parent_message_id != null;
    let before: Message[] = [];
    let title = "";
    if (resumed) {
      const seen = this.state.seenSeq(turn.key);
      const seq = this.seqOf(turn, trigger);
      if (seq > seen + 1) {
        before = turn.dmId
          ? await this.client.dms.messages(turn.dmId, { afterSeq: seen, limit: fetchLimit })
          : (await this.client.threads.get(turn.rootId, { afterSeq: seen, limit: fetchLimit })).replies;
        before = before.filter((m) => m.author_id !== this.me.id && m.id !== trigger.id && this.seqOf(turn, m) < seq);
      }
      title = "Since your last reply";
    } else if (inThread) {
      const page = await this.client.threads.get(turn.rootId, { beforeSeq: trigger.thread_seq ?? undefined, limit: fetchLimit });
      before = [page.root, ...page.replies.filter((m) => m.id !== trigger.id)];
      title = "The thread so far";
    } else {
      const window = { beforeSeq: trigger.channel_seq ?? undefined, limit: fetchLimit };
      before = turn.dmId ? await this.client.dms.messages(turn.dmId, window) : await this.client.channels.messages(turn.channelId ?? "", window);
      title = "Recent messages before this one";
    }
    return prompt({ where, contextTitle: title, context: transcript(before, (m) => this.nameOf(m), limits), speaker, body: trigger.body });
  }

  // ---- Posting ----

  /** Sends once per nonce: a nonce conflict means an earlier attempt already posted it. */
  private async once(nonce: string, send: (nonce: string) => Promise<Message>): Promise<Message> {
    try {
      return await send(nonce);
    } catch (err) {
      if (!isConflict(err)) throw err;
      const existing = await this.client.messages.findByNonce(this.opts.workspaceId, nonce);
      if (!existing) throw err;
      return existing;
    }
  }

  private async answer(turn: Turn, body: string): Promise<void> {
    const parts = splitBody(body.trim() || "_(no answer)_");
    for (const [i, part] of parts.entries()) {
      await this.once(nonces.answer(turn.triggerId, i), (nonce) =>
        turn.answerInThread
          ? this.client.threads.reply(turn.rootId, { body: part, nonce, ...(turn.triggerId !== turn.rootId && i === 0 ? { quoted_message_id: turn.triggerId } : {}) })
          : this.client.dms.sendMessage(turn.dmId ?? "", { body: part, nonce }),
      );
    }
  }

  private activityPost(turn: Turn, kind: string, body: string, nonce: string): Promise<Message> {
    return this.once(nonce, (n) => this.client.threads.reply(turn.rootId, { body, kind, turn_id: turn.turnId, nonce: n }));
  }

  private progress(turn: Turn, payload: Record<string, unknown>): Promise<unknown> {
    return this.client.events
      .publishEphemeral({
        workspaceId: this.opts.workspaceId,
        type: "agent.progress",
        ...(turn.dmId ? { directConversationId: turn.dmId } : { channelId: turn.channelId ?? undefined }),
        payload: { turn_id: turn.turnId, message_id: turn.triggerId, root_message_id: turn.rootId, backend: this.backend, ...payload },
      })
      .catch((err) => this.warn("progress", err));
  }

  private sink(turn: Turn): ActivitySink {
    return {
      progress: (payload) => this.progress(turn, payload),
      post: (kind, body, n) => this.activityPost(turn, kind, body, nonces.activity(turn.triggerId, n)).catch((err) => this.warn("activity", err)),
    };
  }

  private async sayQueued(turn: Turn, ahead: number): Promise<void> {
    const text = `Queued — ${ahead} turn${ahead === 1 ? "" : "s"} ahead`;
    await this.progress(turn, { status: "queued", text, ahead });
    await this.activityPost(turn, "agent_commentary", text, nonces.queued(turn.triggerId)).catch((err) => this.warn("activity", err));
  }

  /** Logs a failing side channel once per kind (a missing scope would otherwise log every turn). */
  private warn(what: string, err: unknown): void {
    const scope = err instanceof ClickClackError && err.status === 403;
    const key = `${what}:${scope ? "403" : errorText(err)}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    const hint = scope && what === "activity" ? " (the token needs the agent_activity:write scope)" : "";
    this.log(`bridge: could not post ${what}: ${errorText(err)}${hint}`);
  }
}
