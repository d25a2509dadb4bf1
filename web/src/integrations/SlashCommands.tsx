// Slash commands: register one (command, description, callback URL, the bot that answers), see its
// signing secret once, rotate the secret, revoke the command.
import { useState } from "preact/hooks";
import { useSubmit } from "../components/useSubmit.ts";
import { fullTime } from "../format.ts";
import { loadCommands } from "../state/commands.ts";
import { confirming, showToast } from "../state/ui.ts";
import type { User } from "../types.ts";
import { integrationsApi, type SlashCommand } from "./api.ts";
import { Chip, Problem, SecretOnce, Section, useLoaded } from "./parts.tsx";

export function SlashCommands({ workspaceId }: { workspaceId: string }) {
  const list = useLoaded(() => integrationsApi.slashCommands(workspaceId), [workspaceId]);
  const bots = useLoaded(() => integrationsApi.bots(workspaceId), [workspaceId]);
  const [secret, setSecret] = useState<{ command: string; secret: string } | null>(null);
  const botName = (id: string) => bots.data?.find((b) => b.id === id)?.handle;
  const changed = (next: SlashCommand) => {
    list.setData((old) => [next, ...(old ?? []).filter((c) => c.id !== next.id)]);
    if (next.signing_secret) setSecret({ command: next.command, secret: next.signing_secret });
    void loadCommands(workspaceId, true).catch(() => {}); // the composer's menu
  };
  const rotate = (c: SlashCommand) =>
    (confirming.value = {
      title: `Rotate the secret of ${c.command}?`,
      body: "The current secret stops working at once; the app must be given the new one.",
      confirm: "Rotate secret",
      action: () => void integrationsApi.rotateSlashSecret(c.id).then(changed, (err) => showToast(`Could not rotate: ${(err as Error).message}`, "error")),
    });
  const revoke = (c: SlashCommand) =>
    (confirming.value = {
      title: `Revoke ${c.command}?`,
      body: "Nobody can run it any more. The command's name becomes free to register again.",
      confirm: "Revoke",
      action: () => void integrationsApi.revokeSlashCommand(c.id).then(changed, (err) => showToast(`Could not revoke: ${(err as Error).message}`, "error")),
    });
  const commands = list.data ?? [];
  return (
    <Section id="integ-slash" title="Slash commands" intro="Members type these in a channel's composer. ClickClack sends a signed request to the callback URL, and the answer is posted as the command's bot (or shown only to whoever ran it).">
      {secret && <SecretOnce label={`Signing secret for ${secret.command}`} secret={secret.secret} onDone={() => setSecret(null)} />}
      <RegisterForm workspaceId={workspaceId} bots={bots.data} onDone={changed} />
      <Problem error={list.error} />
      {list.data && commands.length === 0 && <p class="integ-empty">No slash commands yet.</p>}
      {commands.length > 0 && (
        <ul class="integ-list" aria-label="Slash commands">
          {commands.map((c) => (
            <li class={`integ-item${c.revoked_at ? " revoked" : ""}`} aria-label={c.command}>
              <div class="integ-item-main">
                <div class="integ-item-title">
                  <code>{c.command}</code> {c.revoked_at ? <Chip tone="off">Revoked</Chip> : <Chip tone="ok">Active</Chip>}
                </div>
                {c.description && <div>{c.description}</div>}
                <div class="integ-meta">
                  <span class="mono">{c.callback_url}</span> · answers as {botName(c.bot_user_id) ? `@${botName(c.bot_user_id)}` : "its bot"} · added {fullTime(c.created_at)}
                  {c.revoked_at && <> · revoked {fullTime(c.revoked_at)}</>}
                </div>
              </div>
              {!c.revoked_at && (
                <div class="integ-actions">
                  <button type="button" class="button" onClick={() => rotate(c)}>
                    Rotate secret
                  </button>
                  <button type="button" class="button" onClick={() => revoke(c)}>
                    Revoke
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function RegisterForm({ workspaceId, bots, onDone }: { workspaceId: string; bots: User[] | undefined; onDone: (c: SlashCommand) => void }) {
  const [command, setCommand] = useState("");
  const [description, setDescription] = useState("");
  const [url, setUrl] = useState("");
  const [bot, setBot] = useState("");
  const botId = bot || bots?.[0]?.id || "";
  const { submit, busy, error } = useSubmit(async () => {
    if (!botId) throw new Error("Choose the bot that answers.");
    const created = await integrationsApi.registerSlashCommand(workspaceId, { command: command.trim(), description: description.trim(), callback_url: url.trim(), bot_user_id: botId });
    setCommand("");
    setDescription("");
    setUrl("");
    onDone(created);
  });
  return (
    <form class="integ-form" onSubmit={submit} aria-label="Register a slash command">
      <div class="integ-grid">
        <div>
          <label class="field-label" for="slash-command">
            Command
          </label>
          <input id="slash-command" class="field mono" placeholder="/deploy" required maxLength={33} value={command} onInput={(e) => setCommand((e.target as HTMLInputElement).value)} />
        </div>
        <div>
          <label class="field-label" for="slash-bot">
            Answers as
          </label>
          <select id="slash-bot" class="field" value={botId} onChange={(e) => setBot((e.target as HTMLSelectElement).value)} disabled={!bots?.length}>
            {(bots ?? []).map((b) => (
              <option value={b.id}>
                {b.display_name} (@{b.handle})
              </option>
            ))}
          </select>
        </div>
        <div class="wide">
          <label class="field-label" for="slash-url">
            Callback URL
          </label>
          <input id="slash-url" class="field mono" type="url" placeholder="https://ci.example.com/clickclack" required maxLength={2048} value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        </div>
        <div class="wide">
          <label class="field-label" for="slash-description">
            Description
          </label>
          <input id="slash-description" class="field" placeholder="Deploy a build" maxLength={500} value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
        </div>
      </div>
      {bots && bots.length === 0 && <p class="field-hint">This workspace has no bots yet. A slash command answers as a bot: create one first (POST /api/workspaces/…/bots, or an app's setup code).</p>}
      <Problem error={error} />
      <button type="submit" class="button primary" aria-busy={busy}>
        Register command
      </button>
    </form>
  );
}
