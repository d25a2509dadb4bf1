// A message's Markdown, rendered and sanitised (markdown.ts). Links to this app open in place;
// everything else opens in a new tab with no opener and no referrer.
import { memo } from "preact/compat";
import { useLayoutEffect, useRef } from "preact/hooks";
import { highlightWithin } from "../highlight.ts";
import { renderMarkdown } from "../markdown.ts";
import { navigate } from "../routes.ts";

function onClick(e: MouseEvent): void {
  const a = (e.target as HTMLElement).closest("a");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin === location.origin && url.pathname.startsWith("/app/")) {
    e.preventDefault();
    navigate(url.pathname);
  }
}

const EDITED = '<span class="msg-edited">(edited)</span>';

export const MessageBody = memo(function MessageBody({ body, edited }: { body: string; edited?: boolean }) {
  let html = renderMarkdown(body);
  // "(edited)" reads best at the end of the last paragraph, not on a line of its own.
  if (edited) html = /<\/p>\s*$/.test(html) ? html.replace(/<\/p>\s*$/, `${EDITED}</p>`) : html + EDITED;
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (html.includes("<pre>")) highlightWithin(ref.current!);
  }, [html]);
  return <div ref={ref} class="md" onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />;
});
