import { Elysia, t } from "elysia";
import { HANDLE_PATTERN, LIMITS } from "../../chat/rules.ts";
import { invalid } from "../../chat/errors.ts";
import { PUSHOVER_USER_KEY } from "../../chat/push.ts";
import type { Deps } from "../deps.ts";
import { errors, UserSchema } from "../schemas.ts";

export const meRoutes = ({ auth, access, store }: Deps) =>
  new Elysia()
    .get(
      "/api/me",
      async ({ request }) => {
        const actor = await auth.require(request);
        return { user: actor.user };
      },
      { detail: { summary: "The calling user", tags: ["users"] }, response: { 200: t.Object({ user: UserSchema }), ...errors } },
    )
    .patch(
      "/api/me",
      async ({ request, body }) => {
        const actor = await auth.require(request);
        if (actor.scopes) throw invalid("bots cannot update a profile here", "bot_forbidden");
        const displayName = body.display_name?.trim();
        if (displayName !== undefined && (displayName.length === 0 || displayName.length > LIMITS.displayNameMax)) {
          throw invalid(`display_name must be 1–${LIMITS.displayNameMax} characters`);
        }
        const handle = body.handle?.trim().replace(/^@/, "").toLowerCase();
        if (handle !== undefined && !HANDLE_PATTERN.test(handle)) throw invalid("handle must be 2–32 of a-z, 0-9, _ and -, starting with a letter or digit", "invalid_handle");
        if (body.avatar_url && !/^https?:\/\/[^\s/]+/.test(body.avatar_url)) throw invalid("avatar_url must be an http(s) URL");
        const pushoverKey = body.pushover_user_key?.trim();
        if (pushoverKey !== undefined && !PUSHOVER_USER_KEY.test(pushoverKey)) throw invalid("pushover_user_key must be 30 letters and digits, or empty to clear it", "invalid_pushover_user_key");
        const user = await store.users.update(actor.user.id, { displayName, handle, avatarUrl: body.avatar_url === "" ? null : body.avatar_url });
        if (pushoverKey !== undefined) await store.notifications.setPushoverKey(actor.user.id, pushoverKey || null);
        return { user };
      },
      {
        body: t.Object({
          display_name: t.Optional(t.String({ maxLength: 200 })),
          handle: t.Optional(t.String({ maxLength: 64 })),
          avatar_url: t.Optional(t.Union([t.String({ maxLength: 500 }), t.Null()])),
          pushover_user_key: t.Optional(t.String({ maxLength: 64, description: "your Pushover user key (30 letters and digits); empty clears it" })),
        }),
        detail: { summary: "Update your profile", tags: ["users"] },
        response: { 200: t.Object({ user: UserSchema }), ...errors },
      },
    );
