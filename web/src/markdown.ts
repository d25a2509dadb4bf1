// Message bodies are Markdown, written by anyone, including bots. They are rendered with `marked`
// and then sanitised with DOMPurify against a short allow-list, so no script, event handler,
// style or javascript: URL can survive, whatever the Markdown parser lets through. Raw HTML in
// a message is shown as text, not interpreted.
import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";

/** Mentions of the signed-in user are drawn differently; rendered HTML depends on who that is. */
let myHandle = "";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const mention = {
  name: "mention",
  level: "inline" as const,
  start: (src: string) => {
    const i = src.search(/(^|[^\w@])@[a-z0-9]/i);
    return i < 0 ? undefined : src[i] === "@" ? i : i + 1;
  },
  tokenizer: (src: string) => {
    const m = /^@([a-z0-9][a-z0-9_-]{1,31})/i.exec(src);
    return m ? { type: "mention", raw: m[0], handle: m[1]!.toLowerCase() } : undefined;
  },
  renderer: (token: Tokens.Generic) =>
    `<span class="${token.handle === myHandle ? "mention mention-me" : "mention"}" data-handle="${escapeHtml(String(token.handle))}">@${escapeHtml(String(token.handle))}</span>`,
};

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  extensions: [mention],
  renderer: {
    // Raw HTML is text in a chat message.
    html: ({ text }) => escapeHtml(text),
    // Only our own uploads are shown inline; anything else is a link, so reading a message
    // does not report your address to a stranger's server.
    image: ({ href, text }) => {
      if (/^\/api\/uploads\/[\w-]+$/.test(href)) return `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}" loading="lazy">`;
      return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
    },
  },
});

const ALLOWED_TAGS = [
  "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
  "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "span", "img",
];
const ALLOWED_ATTR = ["href", "title", "class", "src", "alt", "start", "align", "data-handle", "loading"];
// http(s), mailto and same-origin paths; never javascript:, data: or vbscript:.
const ALLOWED_URI_REGEXP = /^(?:https?:|mailto:|\/(?!\/)|#)/i;

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
  if (node.tagName === "IMG" && !/^\/api\/uploads\/[\w-]+$/.test(node.getAttribute("src") ?? "")) node.remove();
  if (node.tagName === "SPAN" && !/^mention( mention-me)?$/.test(node.getAttribute("class") ?? "")) node.removeAttribute("class");
  if (node.tagName === "CODE" && !/^language-[\w+-]+$/.test(node.getAttribute("class") ?? "")) node.removeAttribute("class");
});

export function sanitize(html: string): string {
  return DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR, ALLOWED_URI_REGEXP, ALLOW_DATA_ATTR: false, KEEP_CONTENT: true });
}

const cache = new Map<string, string>();
const CACHE_MAX = 3000;

export function setMyHandle(handle: string): void {
  if (handle === myHandle) return;
  myHandle = handle.toLowerCase();
  cache.clear();
}

/** Markdown to safe HTML. Cached: a long list re-renders rows often while scrolling. */
export function renderMarkdown(body: string): string {
  let html = cache.get(body);
  if (html === undefined) {
    html = sanitize(marked.parse(body) as string);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(body, html);
  }
  return html;
}

const warmQueue: string[] = [];
let warming = false;

/**
 * Renders bodies ahead of time, in idle moments, so rows that scroll into view for the first time
 * find their HTML ready instead of parsing and sanitising it inside an animation frame.
 */
export function prerender(bodies: string[]): void {
  for (const b of bodies) if (!cache.has(b)) warmQueue.push(b);
  if (warming || warmQueue.length === 0) return;
  warming = true;
  const idle = (fn: (deadline: { timeRemaining(): number }) => void) =>
    "requestIdleCallback" in window ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(() => fn({ timeRemaining: () => 8 }), 50);
  const work = (deadline: { timeRemaining(): number }) => {
    while (warmQueue.length && deadline.timeRemaining() > 2) renderMarkdown(warmQueue.pop()!);
    if (warmQueue.length) idle(work);
    else warming = false;
  };
  idle(work);
}

/** A one-line plain-text preview (quotes, notifications, search). */
export function plainText(body: string, max = 140): string {
  const text = body
    .replace(/```[\s\S]*?```/g, "[code]")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/[*_~`>#]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
