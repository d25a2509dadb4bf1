// Turning the mention digest off from the mail itself, without signing in: the link carries a
// token the server signed for that person (src/integrations/digest-worker.ts). The page asks
// first (a mail scanner that follows links must not unsubscribe anyone); its button, and a mail
// client's one-click List-Unsubscribe POST, do it.
import { Elysia, t } from "elysia";
import { AppError } from "../../chat/errors.ts";
import { existingUnsubscribeKey, verifyUnsubscribeToken } from "../../integrations/digest-worker.ts";
import type { Deps } from "../deps.ts";
import { errors } from "../schemas.ts";
import { HTML_CSP } from "./web.ts";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>`
    + `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": HTML_CSP, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
}

export const digestRoutes = ({ store }: Deps) => {
  async function personOf(token: string | undefined): Promise<string> {
    const key = token ? await existingUnsubscribeKey(store) : null;
    const userId = token && key ? verifyUnsubscribeToken(key, token) : null;
    if (!userId || !(await store.users.get(userId))) throw new AppError(400, "invalid_unsubscribe_token", "this unsubscribe link is not valid: change the setting in the app instead");
    return userId;
  }

  return new Elysia()
    .get("/digest/unsubscribe", async ({ query }) => {
      if (query.done) return page("Mention emails are off", "<p>You will get no more emails about mentions. Turn them back on in the app's notification settings.</p>");
      const token = typeof query.token === "string" ? query.token : "";
      try {
        await personOf(token);
      } catch {
        return page("This link is not valid", "<p>Change the setting in the app's notification settings instead.</p>");
      }
      return page("Stop mention emails?", `<form method="post" action="/api/digest/unsubscribe?token=${encodeURIComponent(token)}"><button type="submit">Stop mention emails</button></form>`);
    }, { detail: { hide: true } })
    .post(
      "/api/digest/unsubscribe",
      async ({ query, headers, set }) => {
        const userId = await personOf(query.token);
        await store.digests.setEnabled(userId, false);
        // The page's own form (a browser navigation) goes on to a page that says it is done;
        // a mail client's one-click POST and API callers get JSON.
        if (headers["sec-fetch-mode"] === "navigate") {
          set.status = 303;
          set.headers.location = "/digest/unsubscribe?done=1";
        }
        return { ok: true as const };
      },
      {
        query: t.Object({ token: t.Optional(t.String({ maxLength: 400 })) }),
        detail: { summary: "Turn the mention digest off with the signed token of a digest mail (no sign-in; one-click List-Unsubscribe)", tags: ["notifications"] },
        response: { 200: t.Object({ ok: t.Literal(true) }), 303: t.Object({ ok: t.Literal(true) }), ...errors },
      },
    );
};
