// Web Push for this device: registers the service worker (web/public/sw.js), subscribes with the
// server's VAPID key and hands the subscription to the server, so messages reach the person when
// no tab is open. Unsubscribing tells the server too.
import { request } from "../api.ts";

export const webPushSupported = () => typeof navigator !== "undefined" && "serviceWorker" in navigator && typeof PushManager !== "undefined";

async function registration(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register("/sw.js");
  return navigator.serviceWorker.ready;
}

export async function webPushEnabled(): Promise<boolean> {
  if (!webPushSupported()) return false;
  const reg = await navigator.serviceWorker.getRegistration("/");
  return !!(await reg?.pushManager.getSubscription());
}

export async function enableWebPush(): Promise<void> {
  if (!webPushSupported()) throw new Error("this browser cannot receive push notifications");
  if ((await Notification.requestPermission()) !== "granted") throw new Error("notifications are blocked for this site");
  const reg = await registration();
  const { public_key } = await request<{ public_key: string }>("GET", "/api/push/vapid-public-key");
  const key = Uint8Array.from(atob(public_key.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
  await request("POST", "/api/me/push-subscriptions", { body: sub.toJSON() });
}

export async function disableWebPush(): Promise<void> {
  const reg = await navigator.serviceWorker.getRegistration("/");
  const sub = await reg?.pushManager.getSubscription();
  if (!sub) return;
  await request("DELETE", `/api/me/push-subscriptions?endpoint=${encodeURIComponent(sub.endpoint)}`).catch(() => {});
  await sub.unsubscribe();
}
