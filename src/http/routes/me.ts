import { Elysia, t } from "elysia";
import { displayName, handle } from "../../chat/names.ts";
import { invalid } from "../../chat/errors.ts";
import { avatarPath } from "../../chat/avatars.ts";
import { AvatarFields, avatarChange } from "../avatar-input.ts";
import { PUSHOVER_USER_KEY } from "../../chat/push.ts";
import { timeZone } from "../../chat/time.ts";
import type { Deps } from "../deps.ts";
import type { User, Workspace } from "../../chat/types.ts";
import { errors, UserSchema, WorkspaceSchema, Int } from "../schemas.ts";

const MyBotSchema = t.Object({ bot: UserSchema, workspace: WorkspaceSchema, active_token_count: Int() });

export const meRoutes = ({ auth, access, store, config }: Deps) =>
  new Elysia()
    .get(
      "/api/me/bots",
      async ({ request }) => {
        const actor = await auth.require(request);
        const bots: { bot: User; workspace: Workspace; active_token_count: number }[] = [];
        for (const workspace of await store.workspaces.listFor(actor.user.id)) {
          for (const b of await store.bots.list(workspace.id)) {
            if (b.bot.owner_user_id !== actor.user.id) continue;
            bots.push({ bot: b.bot, workspace, active_token_count: b.tokens.filter((tk) => !tk.revoked_at).length });
          }
        }
        return { bots };
      },
      { detail: { summary: "The bots you own, in every workspace you share with them", tags: ["bots"] }, response: { 200: t.Object({ bots: t.Array(MyBotSchema) }), ...errors } },
    )
    .get(
      "/api/home-link",
      async ({ request }) => {
        await auth.require(request);
        // The server's public address (or the one the caller reached), as the original's "home" link.
        return { url: config.publicUrl ?? new URL(request.url).origin, label: "ClickClack" };
      },
      { detail: { summary: "Where this server's home is: {url, label}", tags: ["users"] }, response: { 200: t.Object({ url: t.String(), label: t.String() }), ...errors } },
    )
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
        const name = body.display_name === undefined ? undefined : displayName(body.display_name);
        const h = body.handle === undefined ? undefined : handle(body.handle);
        const avatar = await avatarChange(store, [actor.user.id], body, actor.user.avatar_url);
        const avatarUrl = avatar === undefined ? undefined : avatar && avatarPath(actor.user.id, avatar);
        const pushoverKey = body.pushover_user_key?.trim();
        if (pushoverKey !== undefined && !PUSHOVER_USER_KEY.test(pushoverKey)) throw invalid("pushover_user_key must be 30 letters and digits, or empty to clear it", "invalid_pushover_user_key");
        const pushoverUserKey = pushoverKey === undefined ? undefined : pushoverKey || null;
        const zone = body.time_zone === undefined ? undefined : timeZone(body.time_zone);
        const user = await store.users.update(actor.user.id, { displayName: name, handle: h, avatarUrl, timeZone: zone, pushoverUserKey });
        return { user };
      },
      {
        body: t.Object({
          display_name: t.Optional(t.String({ maxLength: 200 })),
          handle: t.Optional(t.String({ maxLength: 64 })),
          ...AvatarFields,
          time_zone: t.Optional(t.String({ maxLength: 64, description: "IANA time zone such as Europe/Berlin (shown as your local time); empty clears it" })),
          pushover_user_key: t.Optional(t.String({ maxLength: 64, description: "your Pushover user key (30 letters and digits); empty clears it" })),
        }),
        detail: { summary: "Update your profile", tags: ["users"] },
        response: { 200: t.Object({ user: UserSchema }), ...errors },
      },
    );
