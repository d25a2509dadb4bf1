// Three audiences: people (default: readable text), programs (--json: one JSON document on stdout,
// or JSON lines for `messages tail`) and shell pipelines (--plain: tab-separated, no decoration).
// Errors and progress notes go to stderr, so stdout only ever holds the result.
import type { Channel, Message } from "../../../sdk/src/index.ts";
import { type CliError, EXIT } from "./errors.ts";

export type Mode = "human" | "json" | "plain";

export interface Streams {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processStreams: Streams = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export class Output {
  constructor(
    readonly mode: Mode,
    private streams: Streams = processStreams,
  ) {}

  /** The command's result: the JSON document, or the text for people, or the plain lines. */
  result(value: unknown, human: () => string, plain: () => string = human): void {
    const text = this.mode === "json" ? JSON.stringify(value, null, 2) : this.mode === "plain" ? plain() : human();
    if (text !== "") this.streams.out(`${text}\n`);
  }

  /** One record of a stream (`tail`): a JSON line, or a line of text. */
  record(value: unknown, human: () => string, plain: () => string = human): void {
    this.streams.out(`${this.mode === "json" ? JSON.stringify(value) : this.mode === "plain" ? plain() : human()}\n`);
  }

  /** Progress for people, on stderr. */
  note(text: string): void {
    this.streams.err(`${text}\n`);
  }

  error(err: CliError): void {
    if (this.mode === "json") {
      this.streams.err(`${JSON.stringify({ error: { message: err.message, code: err.code ?? null, exit_code: err.exit, hint: err.hint ?? null } })}\n`);
      return;
    }
    this.streams.err(`clickclack: ${err.message}\n${err.hint ? `  ${err.hint}\n` : ""}`);
  }
}

/** Aligned columns for people, tab-separated fields for --plain. */
export function table(rows: string[][], mode: Mode): string {
  if (mode === "plain") return rows.map((r) => r.join("\t")).join("\n");
  const widths = rows.reduce<number[]>((w, r) => r.map((cell, i) => Math.max(w[i] ?? 0, [...cell].length)), []);
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + " ".repeat(widths[i]! - [...cell].length))).join("  ")).join("\n");
}

const time = (iso: string) => iso.replace("T", " ").slice(0, 16);

export function author(m: Message): string {
  return m.author?.handle ? `@${m.author.handle}` : m.author_id;
}

export function formatMessage(m: Message, mode: Mode, indent = ""): string {
  if (mode === "plain") return [m.id, m.channel_seq ?? m.thread_seq ?? "", m.author?.handle ?? m.author_id, m.created_at, m.body.replace(/\s+/g, " ")].join("\t");
  const seq = m.parent_message_id ? `↳${m.thread_seq ?? ""}` : `#${m.channel_seq ?? ""}`;
  const body = m.deleted_at ? "(deleted)" : m.body.split("\n").join(`\n${indent}    `);
  const replies = m.thread_state?.reply_count ? `  [${m.thread_state.reply_count} repl${m.thread_state.reply_count === 1 ? "y" : "ies"}]` : "";
  return `${indent}${seq} ${author(m)} · ${time(m.created_at)}${m.edited_at ? " (edited)" : ""}${replies}  ${m.id}\n${indent}    ${body}`;
}

export const channelLabel = (c: Channel) => `#${c.name}`;

export { EXIT };
