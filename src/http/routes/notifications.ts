// Reaching people over HTTP: notification preferences (per channel and a person's defaults) and
// the threads a person follows, with their read receipts. Mention counts ride on the channel
// and DM lists (`mention_count`).
import { Elysia, t } from "elysia";
import { AppError } from "../../chat/errors.ts";
import { assertDndHours, assertPreference, DEFAULT_SCOPE, type FollowedThread } from "../../chat/notifications.ts";
import type { Message } from "../../chat/types.ts";
import type { Actor } from "../../access/actor.ts";
import type { Deps } from "../deps.ts";
import { errors, EventSchema, MessageSchema, Nullable, Omitted, Int } from "../schemas.ts";

const Preference = t.Union([t.Literal("all"), t.Literal("mentions"), t.Literal("muted")]);
const Minute = Nullable(t.Integer({ minimum: 0, maximum: 1439 }));
/** A person's defaults; `email_digest`: whether mentions they missed while away are mailed to them (with SMTP). */
const Defaults = t.Object({ preference: Preference, dnd_start_minute: Minute, dnd_end_minute: Minute, email_digest: t.Boolean() });

export const FollowedThreadSchema = t.Object({
  root_message_id: t.String(),
  scope_id: t.String(),
  workspace_id: t.String(),
  reason: t.String(),
  following: t.Boolean(),
  last_read_seq: Int(),
  unread_count: Int(),
  mention_count: Int(),
}, { title: "FollowedThread" });

export const notificationRoutes = ({ auth, access, store }: Deps) => {
  // Threads are listed only where their reader can still read (a DM left, a channel closed to guests).
  async function readable(actor: Actor, f: FollowedThread): Promise<(FollowedThread & { root: Message }) | null> {
    try {
      await access.message(actor, f.root_message_id, "read");
    } catch (err) {
      if (err instanceof AppError && (err.status === 403 || err.status === 404)) return null;
      throw err;
    }
    const root = await store.messages.get(f.root_message_id, actor.user.id);
    return root ? { ...f, root } : null;
  }

  return new Elysia()
    .get(
      "/api/workspaces/:id/channel-preferences",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.member(actor, params.id);
        return { channels: await store.notifications.channelPreferences(actor.user.id, params.id) };
      },
      {
        detail: { summary: "Your starred channels and your own per-channel preferences in a workspace (for the sidebar, on every device)", tags: ["notifications"] },
        response: { 200: t.Object({ channels: t.Array(t.Object({ channel_id: t.String(), starred: t.Boolean(), preference: Omitted(Preference) })) }), ...errors },
      },
    )
    .put(
      "/api/channels/:id/star",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const { channel } = await access.channel(actor, params.id, "read");
        await store.notifications.setStar(actor.user.id, channel, true);
        return { channel_id: channel.id, starred: true };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Star a channel (first in your sidebar, on every device)", tags: ["notifications"] }, response: { 200: t.Object({ channel_id: t.String(), starred: t.Boolean() }), ...errors } },
    )
    .delete(
      "/api/channels/:id/star",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const { channel } = await access.channel(actor, params.id, "read");
        await store.notifications.setStar(actor.user.id, channel, false);
        return { channel_id: channel.id, starred: false };
      },
      { detail: { summary: "Unstar a channel", tags: ["notifications"] }, response: { 200: t.Object({ channel_id: t.String(), starred: t.Boolean() }), ...errors } },
    )
    .get(
      "/api/channels/:id/notification-settings",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.channel(actor, params.id, "read");
        return { preference: (await store.notifications.setting(actor.user.id, params.id)).preference };
      },
      { detail: { summary: "Your notification preference for a channel (your default when unset)", tags: ["notifications"] }, response: { 200: t.Object({ preference: Preference }), ...errors } },
    )
    .patch(
      "/api/channels/:id/notification-settings",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        await access.channel(actor, params.id, "read");
        const s = await store.notifications.updateSetting(actor.user.id, params.id, { preference: assertPreference(body.preference) });
        return { preference: s.preference };
      },
      {
        body: t.Object({ preference: t.String({ maxLength: 16 }) }),
        detail: { summary: "Set your preference for a channel: all (also @channel), mentions, or muted (nothing)", tags: ["notifications"] },
        response: { 200: t.Object({ preference: Preference }), ...errors },
      },
    )
    .get(
      "/api/me/notification-settings",
      async ({ request }) => {
        const actor = await auth.require(request);
        const [settings, digest] = await Promise.all([store.notifications.setting(actor.user.id, DEFAULT_SCOPE), store.digests.enabled(actor.user.id)]);
        return { settings: { ...settings, email_digest: digest } };
      },
      {
        detail: { summary: "Your defaults: preference, do-not-disturb hours (minutes after midnight UTC), and whether missed mentions are mailed to you", tags: ["notifications"] },
        response: { 200: t.Object({ settings: Defaults }), ...errors },
      },
    )
    .patch(
      "/api/me/notification-settings",
      async ({ request, body }) => {
        const actor = await auth.require(request);
        const current = await store.notifications.setting(actor.user.id, DEFAULT_SCOPE);
        const start = body.dnd_start_minute !== undefined ? body.dnd_start_minute : current.dnd_start_minute;
        const end = body.dnd_end_minute !== undefined ? body.dnd_end_minute : current.dnd_end_minute;
        assertDndHours(start, end);
        const settings = await store.notifications.updateSetting(actor.user.id, DEFAULT_SCOPE, {
          ...(body.preference !== undefined ? { preference: assertPreference(body.preference) } : {}),
          dnd_start_minute: start,
          dnd_end_minute: end,
        });
        if (body.email_digest !== undefined) await store.digests.setEnabled(actor.user.id, body.email_digest);
        return { settings: { ...settings, email_digest: await store.digests.enabled(actor.user.id) } };
      },
      {
        body: t.Object({ preference: t.Optional(t.String({ maxLength: 16 })), dnd_start_minute: t.Optional(Minute), dnd_end_minute: t.Optional(Minute), email_digest: t.Optional(t.Boolean()) }),
        detail: { summary: "Change your defaults", tags: ["notifications"] },
        response: { 200: t.Object({ settings: Defaults }), ...errors },
      },
    )
    .get(
      "/api/workspaces/:id/threads",
      async ({ request, params, query }) => {
        const actor = await auth.require(request);
        await access.member(actor, params.id);
        const followed = await store.notifications.threads(params.id, actor.user.id, query.limit ?? 50);
        const threads = (await Promise.all(followed.map((f) => readable(actor, f)))).filter((x) => x !== null);
        return { threads };
      },
      {
        query: t.Object({ limit: t.Optional(t.Integer({ minimum: 1, maximum: 200 })) }),
        detail: { summary: "Threads you follow (started, replied, mentioned, or chose to), most recent reply first", tags: ["threads"] },
        response: { 200: t.Object({ threads: t.Array(t.Composite([FollowedThreadSchema, t.Object({ root: MessageSchema })])) }), ...errors },
      },
    )
    .post(
      "/api/messages/:id/thread/follow",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.message(actor, params.id, "read");
        return { thread: await store.notifications.follow(params.id, actor.user.id, true) };
      },
      { body: t.Optional(t.Object({})), detail: { summary: "Follow a thread: its replies count as mentions", tags: ["threads"] }, response: { 200: t.Object({ thread: FollowedThreadSchema }), ...errors } },
    )
    .delete(
      "/api/messages/:id/thread/follow",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        await access.message(actor, params.id, "read");
        return { thread: await store.notifications.follow(params.id, actor.user.id, false) };
      },
      { detail: { summary: "Stop following a thread (replying follows it again)", tags: ["threads"] }, response: { 200: t.Object({ thread: FollowedThreadSchema }), ...errors } },
    )
    .post(
      "/api/messages/:id/thread/read",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        await access.message(actor, params.id, "read");
        const { thread, event } = await store.notifications.readThread(params.id, actor.user.id, body?.seq ?? 0);
        return event ? { thread, event } : { thread };
      },
      {
        body: t.Optional(t.Object({ seq: t.Optional(t.Integer({ minimum: 0 })) })),
        detail: { summary: "Move your thread read pointer forward (thread.read to your devices)", tags: ["read state"] },
        response: { 200: t.Object({ thread: FollowedThreadSchema, event: t.Optional(EventSchema) }), ...errors },
      },
    );
};
