import { Elysia, t } from "elysia";
import { displayName, handle } from "../../chat/names.ts";
import { invalid } from "../../chat/errors.ts";
import { avatarPath } from "../../chat/avatars.ts";
import { AvatarFields, avatarChange } from "../avatar-input.ts";
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
        const name = body.display_name === undefined ? undefined : displayName(body.display_name);
        const h = body.handle === undefined ? undefined : handle(body.handle);
        const avatar = await avatarChange(store, [actor.user.id], body, actor.user.avatar_url);
        const avatarUrl = avatar === undefined ? undefined : avatar && avatarPath(actor.user.id, avatar);
        const user = await store.users.update(actor.user.id, { displayName: name, handle: h, avatarUrl });
        return { user };
      },
      {
        body: t.Object({
          display_name: t.Optional(t.String({ maxLength: 200 })),
          handle: t.Optional(t.String({ maxLength: 64 })),
          ...AvatarFields,
        }),
        detail: { summary: "Update your profile", tags: ["users"] },
        response: { 200: t.Object({ user: UserSchema }), ...errors },
      },
    );
