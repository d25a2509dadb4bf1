// Web Push over HTTP: the server's VAPID public key (what a browser subscribes with) and each
// person's subscriptions, one per device. Delivery happens in the notification worker.
import { Elysia, t } from "elysia";
import { notFound } from "../../chat/errors.ts";
import { assertWebPushSubscription } from "../../chat/push.ts";
import type { Deps } from "../deps.ts";
import { errors } from "../schemas.ts";

const Endpoint = t.String({ maxLength: 2048 });

export const pushRoutes = ({ auth, store, webPush, config }: Deps) =>
  new Elysia()
    .get(
      "/api/push/vapid-public-key",
      async ({ request }) => {
        await auth.require(request);
        return { public_key: await webPush.publicKey() };
      },
      { detail: { summary: "The server's VAPID public key (applicationServerKey for pushManager.subscribe)", tags: ["notifications"] }, response: { 200: t.Object({ public_key: t.String() }), ...errors } },
    )
    .post(
      "/api/me/push-subscriptions",
      async ({ request, body, set }) => {
        const actor = await auth.require(request);
        const sub = assertWebPushSubscription({ endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth }, config.dev);
        await store.notifications.addPushSubscription(actor.user.id, sub);
        set.status = 201;
        return { subscription: { endpoint: sub.endpoint } };
      },
      {
        body: t.Object({ endpoint: Endpoint, expirationTime: t.Optional(t.Union([t.Number(), t.Null()])), keys: t.Object({ p256dh: t.String({ maxLength: 200 }), auth: t.String({ maxLength: 100 }) }) }),
        detail: { summary: "Subscribe this device to Web Push (the browser's PushSubscription JSON)", tags: ["notifications"] },
        response: { 201: t.Object({ subscription: t.Object({ endpoint: t.String() }) }), ...errors },
      },
    )
    .delete(
      "/api/me/push-subscriptions",
      async ({ request, query, set }) => {
        const actor = await auth.require(request);
        if (!(await store.notifications.removePushSubscription(actor.user.id, query.endpoint))) throw notFound("push subscription");
        set.status = 204;
      },
      { query: t.Object({ endpoint: Endpoint }), detail: { summary: "Unsubscribe this device from Web Push", tags: ["notifications"] }, response: { 204: t.Void(), ...errors } },
    );
