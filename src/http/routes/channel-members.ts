// Who is in a private channel: listed, added and removed by its members and by the workspace's
// managers (src/chat/private-channels.ts says who may do what; the store keeps the rows and
// announces each change to the channel's members, the person added or removed included).
import { Elysia, t } from "elysia";
import { assertMayChangeMembers, assertPrivateChannel } from "../../chat/private-channels.ts";
import type { Deps } from "../deps.ts";
import { errors, EventSchema, UserSchema } from "../schemas.ts";

export const channelMemberRoutes = ({ auth, access, store }: Deps) =>
  new Elysia()
    .get(
      "/api/channels/:id/members",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const { channel } = await access.channelMembers(actor, params.id);
        assertPrivateChannel(channel.memberIds !== null);
        return { members: await store.channels.members(params.id) };
      },
      {
        detail: { summary: "The people in a private channel (its members and the workspace's managers may look; 409 channel_not_private for a public one)", tags: ["channels"] },
        response: { 200: t.Object({ members: t.Array(UserSchema) }), ...errors },
      },
    )
    .post(
      "/api/channels/:id/members",
      async ({ request, params, body, set }) => {
        const actor = await auth.require(request);
        const { channel, membership, inChannel } = await access.channelMembers(actor, params.id);
        access.assertCanWrite(membership);
        assertPrivateChannel(channel.memberIds !== null);
        assertMayChangeMembers({ userId: actor.user.id, role: membership.role, inChannel }, body.user_id, true);
        const { event } = await store.channels.addMember(channel.id, body.user_id, actor.user.id);
        set.status = event ? 201 : 200;
        return event ? { event } : {};
      },
      {
        body: t.Object({ user_id: t.String({ minLength: 1, maxLength: 64 }) }),
        detail: { summary: "Add a member of the workspace to a private channel (201 with channel.member_added; 200 when they already are in it)", tags: ["channels"] },
        response: { 200: t.Object({}), 201: t.Object({ event: EventSchema }), ...errors },
      },
    )
    .delete(
      "/api/channels/:id/members/:user_id",
      async ({ request, params, set }) => {
        const actor = await auth.require(request);
        const { channel, membership, inChannel } = await access.channelMembers(actor, params.id);
        const leaving = params.user_id === actor.user.id;
        // Leaving is always allowed, even to someone blocked or timed out.
        if (!leaving) access.assertCanWrite(membership);
        assertPrivateChannel(channel.memberIds !== null);
        assertMayChangeMembers({ userId: actor.user.id, role: membership.role, inChannel }, params.user_id, false);
        await store.channels.removeMember(channel.id, params.user_id, actor.user.id);
        set.status = 204;
      },
      {
        detail: { summary: "Remove someone from a private channel, or leave it (204, also when they were not in it)", tags: ["channels"] },
        response: { 204: t.Void(), ...errors },
      },
    );
