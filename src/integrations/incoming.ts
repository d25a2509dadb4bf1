// What an incoming webhook accepts: Slack's and Mattermost's message JSON (`text`, `username`,
// `icon_url`, `attachments`), given as a JSON body or as `payload=<json>` in a form. Attachments
// become Markdown, since our messages are Markdown; Slack's `<url|label>` links and `<!here>`
// mentions become ours. Pure functions: the route reads the request, these decide the message.
import { invalid } from "../chat/errors.ts";
import { LIMITS } from "../chat/rules.ts";

export interface IncomingMessage {
  /** The Markdown to post. */
  body: string;
  /** The label the message's badge shows instead of the webhook's name, when the sender set one. */
  username: string | null;
}

interface Field { title?: unknown; value?: unknown }
interface Attachment {
  fallback?: unknown; pretext?: unknown; title?: unknown; title_link?: unknown; text?: unknown;
  fields?: unknown; color?: unknown; author_name?: unknown; footer?: unknown; image_url?: unknown;
}

const USERNAME_MAX = LIMITS.displayNameMax;
const ATTACHMENTS_MAX = 20;
const FIELDS_MAX = 50;

/** The payload a request carried: its `payload` form field (JSON) or the JSON body itself. */
export function payloadOf(body: unknown): Record<string, unknown> {
  if (body === null || body === undefined) throw invalid("the body is empty: send JSON with text or attachments", "empty_payload");
  if (typeof body !== "object" || Array.isArray(body)) throw invalid("the body must be a JSON object", "invalid_payload");
  const b = body as Record<string, unknown>;
  if (!("payload" in b)) return b;
  if (typeof b.payload !== "string") throw invalid("payload must be a JSON string", "invalid_payload");
  let v: unknown;
  try {
    v = JSON.parse(b.payload);
  } catch {
    throw invalid("payload is not valid JSON", "invalid_payload");
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw invalid("payload must be a JSON object", "invalid_payload");
  return v as Record<string, unknown>;
}

const str = (v: unknown, field: string): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw invalid(`${field} must be a string`, "invalid_payload");
};

/** Slack's mrkdwn links and broadcast mentions, in our Markdown. */
export function fromSlackMarkup(text: string): string {
  return text
    .replace(/<!(channel|here|everyone)(?:\|[^>]*)?>/g, (_, who: string) => (who === "everyone" ? "@channel" : `@${who}`))
    .replace(/<((?:https?|mailto):[^|>\s]+)\|([^>]+)>/g, (_, url: string, label: string) => `[${label.replace(/[[\]]/g, "")}](${url})`)
    .replace(/<((?:https?|mailto):[^|>\s]+)>/g, "<$1>")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** A colour bar cannot be Markdown; a coloured mark before the title says as much. */
export function colorMark(color: string | null): string {
  if (!color) return "";
  const named: Record<string, string> = { good: "🟢", warning: "🟡", danger: "🔴" };
  if (named[color]) return named[color]!;
  const m = /^#?([0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return "";
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(m[1]!.slice(i, i + 2), 16)) as [number, number, number];
  if (r > 160 && g > 140 && b < 120) return "🟡";
  if (r >= g && r >= b) return "🔴";
  if (g >= r && g >= b) return "🟢";
  return "🔵";
}

const safeUrl = (u: string | null) => (u && /^(https?:|mailto:)/i.test(u.trim()) && !/[\s()]/.test(u.trim()) ? u.trim() : null);

function renderAttachment(a: Attachment, i: number): string {
  const at = `attachments[${i}]`;
  const pretext = str(a.pretext, `${at}.pretext`);
  const title = str(a.title, `${at}.title`);
  const link = safeUrl(str(a.title_link, `${at}.title_link`));
  const text = str(a.text, `${at}.text`);
  const author = str(a.author_name, `${at}.author_name`);
  const footer = str(a.footer, `${at}.footer`);
  const image = safeUrl(str(a.image_url, `${at}.image_url`));
  const mark = colorMark(str(a.color, `${at}.color`));
  if (a.fields !== undefined && a.fields !== null && !Array.isArray(a.fields)) throw invalid(`${at}.fields must be an array`, "invalid_payload");
  const fields = (a.fields as Field[] | undefined ?? []).slice(0, FIELDS_MAX);
  const lines: string[] = [];
  if (pretext) lines.push(fromSlackMarkup(pretext));
  const head = title ? (link ? `[${title.replace(/[[\]]/g, "")}](${link})` : title) : null;
  if (author) lines.push(`${mark ? `${mark} ` : ""}*${author}*`);
  if (head) lines.push(`${mark && !author ? `${mark} ` : ""}**${head}**`);
  if (text) lines.push(fromSlackMarkup(text));
  fields.forEach((f, j) => {
    if (!f || typeof f !== "object") throw invalid(`${at}.fields[${j}] must be an object`, "invalid_payload");
    const ft = str(f.title, `${at}.fields[${j}].title`);
    const fv = str(f.value, `${at}.fields[${j}].value`);
    if (ft || fv) lines.push(ft ? `**${ft}**: ${fromSlackMarkup(fv ?? "")}` : fromSlackMarkup(fv!));
  });
  if (image) lines.push(image);
  if (footer) lines.push(`_${footer}_`);
  // The fallback is the plain-text summary for clients that cannot show the rest: ours only
  // needs it when nothing else was given.
  if (lines.length === 0) {
    const fallback = str(a.fallback, `${at}.fallback`);
    if (fallback) lines.push(fromSlackMarkup(fallback));
  } else if (mark && !head && !author) {
    lines[0] = `${mark} ${lines[0]}`;
  }
  return lines.join("\n");
}

/** The message an incoming payload asks for; 400 with a clear code when it asks for none. */
export function incomingMessage(payload: Record<string, unknown>): IncomingMessage {
  const text = str(payload.text, "text");
  const rawName = str(payload.username, "username");
  // Accepted for compatibility, never fetched: a remote picture would tell a stranger who reads.
  str(payload.icon_url, "icon_url");
  const attachments = payload.attachments ?? [];
  if (!Array.isArray(attachments)) throw invalid("attachments must be an array", "invalid_payload");
  if (attachments.length > ATTACHMENTS_MAX) throw invalid(`at most ${ATTACHMENTS_MAX} attachments`, "invalid_payload");
  const parts = [text ? fromSlackMarkup(text).trim() : ""];
  attachments.forEach((a, i) => {
    if (!a || typeof a !== "object" || Array.isArray(a)) throw invalid(`attachments[${i}] must be an object`, "invalid_payload");
    parts.push(renderAttachment(a as Attachment, i).trim());
  });
  const body = parts.filter(Boolean).join("\n\n");
  if (!body) throw invalid("the payload has no text and no attachment to show", "empty_payload");
  if ([...body].length > LIMITS.bodyMaxChars) throw invalid(`the message would be longer than ${LIMITS.bodyMaxChars} characters`, "message_too_long");
  return { body, username: badgeName(rawName) };
}

/**
 * A per-message name is only ever a label on the webhook's badge, never an author's handle:
 * control characters and a leading @ go, so it cannot pass for a mention either.
 */
export function badgeName(raw: string | null): string | null {
  if (raw === null) return null;
  // eslint-disable-next-line no-control-regex
  const name = raw.replace(/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, "").replace(/^[@\s]+/, "").trim();
  return name ? [...name].slice(0, USERNAME_MAX).join("") : null;
}
