// The service worker: shows a Web Push the server sent while no tab was open, and a click opens
// (or focuses) the app on that conversation. Payload: {title, body, message_id, channel_id,
// direct_conversation_id, thread_root_id} (src/integrations/notify-worker.ts).
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {}
  const title = data.title || "ClickClack";
  event.waitUntil(self.registration.showNotification(title, { body: (data.body || "").slice(0, 200), tag: data.message_id, data }));
});

function pathOf(d) {
  const base = d.channel_id ? `/app/c/${encodeURIComponent(d.channel_id)}` : d.direct_conversation_id ? `/app/d/${encodeURIComponent(d.direct_conversation_id)}` : "/app";
  if (d.thread_root_id) return `${base}/t/${encodeURIComponent(d.thread_root_id)}`;
  return d.message_id && base !== "/app" ? `${base}/m/${encodeURIComponent(d.message_id)}` : base;
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(pathOf(event.notification.data || {}), self.location.origin).href;
  event.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const tab = tabs.find((c) => new URL(c.url).pathname.startsWith("/app"));
    if (tab) {
      await tab.navigate(url).catch(() => {});
      return tab.focus();
    }
    return self.clients.openWindow(url);
  })());
});
