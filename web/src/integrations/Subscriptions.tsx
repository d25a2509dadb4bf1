// Event subscriptions (outgoing webhooks): subscribe a callback to event types, see each one's
// state (a subscription that kept failing is disabled, and says why), its delivery log page by
// page, and send a logged delivery again.
import { useState } from "preact/hooks";
import { useSubmit } from "../components/useSubmit.ts";
import { fullTime, relativeTime } from "../format.ts";
import { confirming, showToast } from "../state/ui.ts";
import { type EventDelivery, type EventSubscription, integrationsApi } from "./api.ts";
import { Chip, Problem, SecretOnce, Section, useLoaded } from "./parts.tsx";

export function Subscriptions({ workspaceId }: { workspaceId: string }) {
  const list = useLoaded(() => integrationsApi.subscriptions(workspaceId), [workspaceId]);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const changed = (next: EventSubscription) => {
    list.setData((old) => (old?.some((s) => s.id === next.id) ? old.map((s) => (s.id === next.id ? next : s)) : [next, ...(old ?? [])]));
    if (next.signing_secret) setSecret({ url: next.callback_url, secret: next.signing_secret });
  };
  const subs = list.data ?? [];
  return (
    <Section id="integ-subs" title="Event subscriptions" intro="Outgoing webhooks: every event of the chosen types is sent, signed and in order, to the callback URL. Failed deliveries are retried for a day; a subscription that keeps failing is disabled until you enable it again.">
      {secret && <SecretOnce label={`Signing secret for ${secret.url}`} secret={secret.secret} onDone={() => setSecret(null)} />}
      <SubscribeForm workspaceId={workspaceId} onDone={changed} />
      <Problem error={list.error} />
      {list.data && subs.length === 0 && <p class="integ-empty">No event subscriptions yet.</p>}
      {subs.length > 0 && (
        <ul class="integ-list" aria-label="Event subscriptions">
          {subs.map((s) => (
            <SubscriptionItem key={s.id} sub={s} onChange={changed} />
          ))}
        </ul>
      )}
    </Section>
  );
}

function StatusChip({ sub }: { sub: EventSubscription }) {
  if (sub.status === "revoked") return <Chip tone="off">Revoked</Chip>;
  if (sub.status === "disabled") return <Chip tone="warn">Disabled</Chip>;
  return sub.failure_count > 0 ? <Chip tone="warn">Retrying</Chip> : <Chip tone="ok">Active</Chip>;
}

function SubscriptionItem({ sub, onChange }: { sub: EventSubscription; onChange: (s: EventSubscription) => void }) {
  const [open, setOpen] = useState(false);
  const act = (what: string, call: () => Promise<EventSubscription>) => void call().then(onChange, (err) => showToast(`Could not ${what}: ${(err as Error).message}`, "error"));
  const logId = `deliveries-${sub.id}`;
  return (
    <li class={`integ-item${sub.status === "revoked" ? " revoked" : ""}`} aria-label={sub.callback_url}>
      <div class="integ-item-main">
        <div class="integ-item-title">
          <span class="mono">{sub.callback_url}</span> <StatusChip sub={sub} />
        </div>
        <div class="integ-meta">{sub.event_types.includes("*") ? "All events" : sub.event_types.join(", ")} · added {fullTime(sub.created_at)}</div>
        {sub.status === "disabled" && (
          <p class="integ-warning">
            Disabled{sub.disabled_reason ? `: ${sub.disabled_reason}` : ""}. Nothing is sent until it is enabled; it then resumes from the first event it did not deliver.
          </p>
        )}
        {sub.status === "active" && sub.failure_count > 0 && (
          <p class="integ-warning">
            {sub.failure_count} failed {sub.failure_count === 1 ? "attempt" : "attempts"}
            {sub.failing_since ? ` since ${relativeTime(sub.failing_since)}` : ""}; next try {relativeTime(sub.next_attempt_at)}.
          </p>
        )}
      </div>
      <div class="integ-actions">
        <button type="button" class="button" aria-expanded={open} aria-controls={logId} onClick={() => setOpen(!open)}>
          Delivery log
        </button>
        {sub.status === "disabled" && (
          <button type="button" class="button" onClick={() => act("enable", () => integrationsApi.enableSubscription(sub.id))}>
            Enable
          </button>
        )}
        {sub.status !== "revoked" && (
          <>
            <button
              type="button"
              class="button"
              onClick={() =>
                (confirming.value = { title: "Rotate the signing secret?", body: "The current secret stops working at once; the receiver must be given the new one.", confirm: "Rotate secret", action: () => act("rotate", () => integrationsApi.rotateSubscriptionSecret(sub.id)) })
              }
            >
              Rotate secret
            </button>
            <button
              type="button"
              class="button"
              onClick={() => (confirming.value = { title: "Revoke this subscription?", body: `Nothing more is sent to ${sub.callback_url}. This cannot be undone.`, confirm: "Revoke", action: () => act("revoke", () => integrationsApi.revokeSubscription(sub.id)) })}
            >
              Revoke
            </button>
          </>
        )}
      </div>
      {open && <DeliveryLog id={logId} sub={sub} />}
    </li>
  );
}

const PAGE = 20;

function DeliveryLog({ id, sub }: { id: string; sub: EventSubscription }) {
  const [pages, setPages] = useState<EventDelivery[][]>([]);
  const [next, setNext] = useState<string | null>(null);
  const first = useLoaded(async () => {
    const page = await integrationsApi.deliveries(sub.id, null, PAGE);
    setPages([page.deliveries]);
    setNext(page.next_cursor);
    return true;
  }, [sub.id]);
  const more = useSubmit(async () => {
    const page = await integrationsApi.deliveries(sub.id, next, PAGE);
    setPages((p) => [...p, page.deliveries]);
    setNext(page.next_cursor);
  });
  const redeliver = async (d: EventDelivery) => {
    try {
      const attempt = await integrationsApi.redeliver(sub.id, d.id);
      setPages((p) => [[attempt], ...p]);
      showToast(attempt.outcome === "succeeded" ? `Delivered again (HTTP ${attempt.response_status})` : `Redelivery failed: ${attempt.error ?? `HTTP ${attempt.response_status}`}`, attempt.outcome === "succeeded" ? "info" : "error");
    } catch (err) {
      showToast(`Could not redeliver: ${(err as Error).message}`, "error");
    }
  };
  const rows = pages.flat();
  return (
    <div class="delivery-log" id={id}>
      <Problem error={first.error} />
      {first.data && rows.length === 0 && <p class="integ-empty">No deliveries yet.</p>}
      {rows.length > 0 && (
        <div class="table-scroll">
          <table aria-label={`Deliveries to ${sub.callback_url}`}>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Attempt</th>
                <th scope="col">Result</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <td>
                    <time dateTime={d.created_at} title={fullTime(d.created_at)}>
                      {relativeTime(d.created_at)}
                    </time>
                  </td>
                  <td class="mono">{d.event_type}</td>
                  <td>
                    {d.attempt}
                    {d.redelivery ? " (manual)" : ""}
                  </td>
                  <td>
                    <Chip tone={d.outcome === "succeeded" ? "ok" : "warn"}>{d.outcome === "succeeded" ? "Delivered" : d.outcome === "refused" ? "Refused" : "Failed"}</Chip>{" "}
                    {d.response_status !== null && `HTTP ${d.response_status} `}
                    {d.error && <span class="integ-meta">{d.error} </span>}
                    <span class="integ-meta">{d.duration_ms} ms</span>
                  </td>
                  <td>
                    {sub.status !== "revoked" && (
                      <button type="button" class="button small" aria-label={`Redeliver ${d.event_type} (attempt ${d.attempt})`} onClick={() => void redeliver(d)}>
                        Redeliver
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" class="button" aria-busy={more.busy} onClick={() => void more.submit()}>
          Older deliveries
        </button>
      )}
      <Problem error={more.error} />
    </div>
  );
}

function SubscribeForm({ workspaceId, onDone }: { workspaceId: string; onDone: (s: EventSubscription) => void }) {
  const types = useLoaded(() => integrationsApi.eventTypes(), []);
  const [url, setUrl] = useState("");
  const [all, setAll] = useState(false);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(["message.created"]));
  const { submit, busy, error } = useSubmit(async () => {
    const event_types = all ? ["*"] : [...chosen];
    if (event_types.length === 0) throw new Error("Choose at least one event type.");
    const created = await integrationsApi.subscribe(workspaceId, { callback_url: url.trim(), event_types });
    setUrl("");
    onDone(created);
  });
  const toggle = (t: string) => {
    const next = new Set(chosen);
    if (next.has(t)) next.delete(t);
    else next.add(t);
    setChosen(next);
  };
  return (
    <form class="integ-form" onSubmit={submit} aria-label="Add an event subscription">
      <label class="field-label" for="sub-url">
        Callback URL
      </label>
      <input id="sub-url" class="field mono" type="url" placeholder="https://hooks.example.com/clickclack" required maxLength={2048} value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
      <fieldset class="event-types">
        <legend class="field-label">Events</legend>
        <label class="check">
          <input type="checkbox" checked={all} onChange={() => setAll(!all)} /> All events, including types added later
        </label>
        {!all && (
          <div class="event-type-grid">
            {(types.data ?? []).map((t) => (
              <label class="check mono">
                <input type="checkbox" checked={chosen.has(t)} onChange={() => toggle(t)} /> {t}
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <Problem error={error ?? types.error} />
      <button type="submit" class="button primary" aria-busy={busy}>
        Subscribe
      </button>
    </form>
  );
}
