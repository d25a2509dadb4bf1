// Syntax highlighting for code blocks, with highlight.js's common languages. Loaded the first time
// a message with a code block is shown, as its own chunk: most conversations never pay for it.
// highlight.js escapes the code it wraps in spans, so its output is as inert as our sanitised HTML.
type Hljs = typeof import("highlight.js/lib/common").default;

let loading: Promise<Hljs> | null = null;

/** Highlights the code blocks under `root` that have not been highlighted yet. */
export function highlightWithin(root: HTMLElement): void {
  const blocks = root.querySelectorAll<HTMLElement>("pre > code:not(.hljs)");
  if (blocks.length === 0) return;
  loading ??= import("highlight.js/lib/common").then((m) => m.default);
  void loading.then((hljs) => {
    for (const code of blocks) {
      if (!code.isConnected || code.classList.contains("hljs")) continue;
      const lang = /\blanguage-([\w+-]+)/.exec(code.className)?.[1];
      const text = code.textContent ?? "";
      // A named language, or a guess among the common ones for short blocks (guessing is costly).
      const result = lang && hljs.getLanguage(lang) ? hljs.highlight(text, { language: lang, ignoreIllegals: true }) : text.length < 4000 ? hljs.highlightAuto(text) : null;
      code.classList.add("hljs");
      if (result && (lang || result.relevance >= 5)) code.innerHTML = result.value;
    }
  });
}
