// The workspace's bots, for its managers: create a bot, see its tokens and what they may do, mint
// and revoke tokens, mint a setup code for an installer, retire a bot. A secret (a token, a setup
// code) is shown once, right after it is made: the server keeps only its hash.
import { useEffect, useState } from "preact/hooks";
import { request } from "../api.ts";
import { confirming, dialog, showToast } from "../state/ui.ts";
import type { User } from "../types.ts";
import { Avatar } from "./Avatar.tsx";
import { Modal } from "./Modal.tsx";
import { useSubmit } from "./useSubmit.ts";

interface BotToken {
  id: string;
  name: string;
  scopes: string[];
  created_at: string;
  last_used_at?: string;
  revoked_at?: string;
  token?: string;
}
interface BotEntry {
  bot: User;
  tokens: BotToken[];
}
/** A secret on screen once: a token, or a setup code with its expiry. */
type Secret = { botId: string; kind: "token"; label: string; value: string } | { botId: string; kind: "code"; label: string; value: string; expiresAt: string };

/** The original's bundles, by what a person would call them. */
const BUNDLES = [
  { id: "bot:read", label: "Read" },
  { id: "bot:write", label: "Read & write" },
  { id: "bot:admin", label: "Admin" },
] as const;

const close = () => (dialog.value = null);
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** What a token may do, said briefly: the bundle it matches, else its scopes. */
function scopeSummary(scopes: string[]): string {
  const has = (s: string) => scopes.includes(s);
  if (has("channels:write") && has("messages:write")) return "Admin";
  if (has("messages:write")) return "Read & write";
  if (scopes.every((s) => s.endsWith(":read"))) return "Read";
  return scopes.join(", ");
}

export function BotsDialog({ workspaceId }: { workspaceId: string }) {
  const [bots, setBots] = useState<BotEntry[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [secret, setSecret] = useState<Secret | null>(null);
  const base = `/api/workspaces/${workspaceId}/bots`;
  const reload = () =>
    request<{ bots: BotEntry[] }>("GET", base).then((r) => setBots(r.bots), (err: Error) => setLoadError(err.message));
  useEffect(() => void reload(), [workspaceId]);

  const [name, setName] = useState("");
  const [handle, setHandle] = useState("");
  const { submit: create, busy: creating, error: createError } = useSubmit(async () => {
    const body: Record<string, string> = { display_name: name.trim() };
    if (handle.trim()) body.handle = handle.trim().replace(/^@/, "");
    const made = await request<{ bot: User; bot_token?: BotToken }>("POST", base, { body });
    setName("");
    setHandle("");
    if (made.bot_token?.token) setSecret({ botId: made.bot.id, kind: "token", label: `Token "${made.bot_token.name}" of ${made.bot.display_name}`, value: made.bot_token.token });
    await reload();
  });

  return (
    <Modal label="Bots" onClose={close} class="bots-dialog">
      <h2 class="modal-title">Bots</h2>
      <p class="modal-text">Bots post and answer through the API with a token. A token or a setup code is shown once, when it is made.</p>
      <form class="bots-create" onSubmit={create} aria-labelledby="bots-create-title">
        <h3 id="bots-create-title">New bot</h3>
        <div class="bots-create-fields">
          <label class="field-label" for="bot-name">Name</label>
          <input id="bot-name" class="field" value={name} maxLength={80} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <label class="field-label" for="bot-handle">Handle (optional)</label>
          <input id="bot-handle" class="field" value={handle} maxLength={33} placeholder="made from the name" onInput={(e) => setHandle((e.target as HTMLInputElement).value)} />
        </div>
        {createError && <p class="field-error" role="alert">{createError}</p>}
        <div class="modal-actions start">
          <button type="submit" class="button primary" aria-disabled={creating}>Create bot</button>
        </div>
      </form>
      {secret && <SecretPanel secret={secret} onDone={() => setSecret(null)} />}
      {loadError && <p class="field-error" role="alert">{loadError}</p>}
      {bots === null && !loadError && <p class="modal-text">Loading…</p>}
      {bots && bots.length === 0 && <p class="modal-text">No bots yet.</p>}
      {bots && bots.length > 0 && (
        <ul class="bots-list" aria-label="Bots of this workspace">
          {bots.map((b) => <BotRow key={b.bot.id} entry={b} workspaceId={workspaceId} onSecret={setSecret} onChanged={reload} />)}
        </ul>
      )}
    </Modal>
  );
}

function BotRow({ entry, workspaceId, onSecret, onChanged }: { entry: BotEntry; workspaceId: string; onSecret: (s: Secret) => void; onChanged: () => Promise<void> }) {
  const { bot, tokens } = entry;
  const [tokenName, setTokenName] = useState("");
  const [bundle, setBundle] = useState<string>("bot:write");
  const botUrl = `/api/workspaces/${workspaceId}/bots/${bot.id}`;
  const { submit: mint, error: mintError } = useSubmit(async () => {
    const { bot_token } = await request<{ bot_token: BotToken }>("POST", `${botUrl}/tokens`, { body: { name: tokenName.trim() || "default", scopes: [bundle] } });
    setTokenName("");
    onSecret({ botId: bot.id, kind: "token", label: `Token "${bot_token.name}" of ${bot.display_name}`, value: bot_token.token! });
    await onChanged();
  });
  const { submit: setupCode, error: codeError } = useSubmit(async () => {
    const { setup_code } = await request<{ setup_code: { code: string; expires_at: string; token_name: string } }>("POST", `${botUrl}/setup-codes`, { body: { name: tokenName.trim() || "default", scopes: [bundle] } });
    onSecret({ botId: bot.id, kind: "code", label: `Setup code for ${bot.display_name} (token "${setup_code.token_name}")`, value: setup_code.code, expiresAt: setup_code.expires_at });
  });
  const revoke = (t: BotToken) =>
    request("POST", `/api/bot-tokens/${t.id}/revoke`, { body: {} }).then(() => (showToast(`Token "${t.name}" revoked`), onChanged()), (err: Error) => showToast(err.message));
  const retire = () =>
    (confirming.value = {
      title: `Retire ${bot.display_name}?`,
      body: `Every token of @${bot.handle} stops working at once and it leaves every workspace. Its messages stay; the handle @${bot.handle} becomes free.`,
      confirm: "Retire bot",
      action: () => void request("DELETE", `/api/bots/${bot.id}`).then(() => (showToast(`${bot.display_name} retired`), onChanged()), (err: Error) => showToast(err.message)),
    });
  const live = tokens.filter((t) => !t.revoked_at);
  const ids = { name: `bot-${bot.id}-token-name`, scope: `bot-${bot.id}-scope` };
  return (
    <li class="bot-row" aria-label={bot.display_name}>
      <div class="bot-head">
        <Avatar id={bot.id} user={bot} size={32} />
        <div class="grow">
          <strong>{bot.display_name}</strong> <span class="muted">@{bot.handle}</span>
          <div class="muted small">{live.length === 1 ? "1 active token" : `${live.length} active tokens`}</div>
        </div>
        <button type="button" class="button danger-outline" onClick={retire} aria-label={`Retire ${bot.display_name}`}>Retire</button>
      </div>
      {tokens.length > 0 && (
        <table class="bot-tokens">
          <caption class="visually-hidden">Tokens of {bot.display_name}</caption>
          <thead>
            <tr><th scope="col">Token</th><th scope="col">Access</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} class={t.revoked_at ? "revoked" : ""}>
                <td>{t.name}<div class="muted small">made {when(t.created_at)}</div></td>
                <td title={t.scopes.join(" ")}>{scopeSummary(t.scopes)}</td>
                <td>{t.revoked_at ? `revoked ${when(t.revoked_at)}` : t.last_used_at ? when(t.last_used_at) : "never"}</td>
                <td>{!t.revoked_at && <button type="button" class="button small" onClick={() => void revoke(t)} aria-label={`Revoke token ${t.name} of ${bot.display_name}`}>Revoke</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="bot-mint" onSubmit={mint}>
        <label class="field-label" for={ids.name}>Token name</label>
        <input id={ids.name} class="field" value={tokenName} maxLength={80} placeholder="default" onInput={(e) => setTokenName((e.target as HTMLInputElement).value)} />
        <label class="field-label" for={ids.scope}>Access</label>
        <select id={ids.scope} class="field" value={bundle} onChange={(e) => setBundle((e.target as HTMLSelectElement).value)}>
          {BUNDLES.map((b) => <option value={b.id}>{b.label}</option>)}
        </select>
        <div class="bot-mint-actions">
          <button type="submit" class="button" aria-label={`New token for ${bot.display_name}`}>New token</button>
          <button type="button" class="button" onClick={() => void setupCode()} aria-label={`Setup code for ${bot.display_name}`}>Setup code</button>
        </div>
        {(mintError || codeError) && <p class="field-error" role="alert">{mintError ?? codeError}</p>}
      </form>
    </li>
  );
}

/** Minutes and seconds until `iso`; null once it has passed. */
function remaining(iso: string, now: number): string | null {
  const s = Math.floor((Date.parse(iso) - now) / 1000);
  return s <= 0 ? null : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function SecretPanel({ secret, onDone }: { secret: Secret; onDone: () => void }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (secret.kind !== "code") return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [secret]);
  const left = secret.kind === "code" ? remaining(secret.expiresAt, now) : null;
  const copy = () => navigator.clipboard?.writeText(secret.value).then(() => showToast("Copied"), () => showToast("Copy it by hand: the browser refused"));
  return (
    <section class="bot-secret" role="status" aria-label={secret.label}>
      <h3>{secret.label}</h3>
      <p class="modal-text">
        {secret.kind === "token"
          ? "Copy it now: it is not shown again. Anyone with it acts as the bot."
          : "Give it to the bot's installer: it exchanges it, once, for a token (POST /api/bot-setup-codes/claim)."}
      </p>
      <div class="bot-secret-value">
        <code>{secret.value}</code>
        <button type="button" class="button small" onClick={() => void copy()}>Copy</button>
      </div>
      {secret.kind === "code" && <p class="muted small" aria-live="off">{left ? `Expires in ${left}` : "Expired: mint another code."}</p>}
      <div class="modal-actions start">
        <button type="button" class="button" onClick={onDone}>Done</button>
      </div>
    </section>
  );
}
