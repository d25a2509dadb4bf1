// An invite link: /app/invite#token=inv_… (a fragment: the token never reaches a request line).
// Signed in, one click joins. New here: with mail, the person's address gets a sign-in link that
// comes back here (&magic=…) and joins; without, they choose a name and the link signs them in.
// A link that no longer works says why.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { navigate } from "../routes.ts";
import { auth, loadSession } from "../session.ts";
import { save } from "../state/storage.ts";
import { lastWorkspaceKey } from "../state/sync.ts";
import type { InvitePreview } from "../types.ts";

const GONE: Record<string, string> = {
  expired: "This invite link has expired.",
  revoked: "This invite link was revoked.",
  used_up: "This invite link has been used as many times as it allows.",
};

function fromHash(): { token: string | null; magic: string | null } {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  return { token: params.get("token"), magic: params.get("magic") };
}

export function InvitePage() {
  const [{ token, magic }] = useState(fromHash);
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [problem, setProblem] = useState<string | null>(token ? null : "This invite link is incomplete: copy the whole link.");
  const [note, setNote] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const a = auth.value;

  useEffect(() => {
    if (!token) return;
    // The sign-in token is single use: out of the address bar at once (the invite stays for a reload).
    if (magic) history.replaceState(null, "", `/app/invite#token=${encodeURIComponent(token)}`);
    void (async () => {
      try {
        if (magic) {
          await api.consumeMagicLink(magic);
          await loadSession();
        }
        setPreview((await api.previewInvite(token)).invite);
      } catch (err) {
        setProblem(err instanceof ApiError && err.status === 404 ? "This invite link is not valid: copy the whole link." : err instanceof ApiError && err.status === 401 ? "This sign-in link is invalid, already used or expired. Ask for a new one below." : (err as Error).message);
      }
    })();
  }, []);

  // Signed in by a mailed link: join without another click.
  useEffect(() => {
    if (magic && preview?.status === "active" && a.status === "signed-in") void join();
  }, [preview, a.status]);

  async function join(displayName?: string) {
    if (!token || busy) return;
    setBusy(true);
    try {
      const res = await api.acceptInvite(token, displayName);
      // The app opens in the workspace just joined.
      save(lastWorkspaceKey(res.user.id), res.workspace_id);
      if (auth.peek().status !== "signed-in") await loadSession();
      navigate("/app", { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 410) setPreview((p) => (p ? { ...p, status: err.code.replace("invite_", "") as InvitePreview["status"] } : p));
      else setProblem((err as Error).message);
    }
  }

  async function mailMe(e: Event) {
    e.preventDefault();
    if (!token) return;
    setBusy(true);
    try {
      await api.emailInvite(token, email.trim());
      setNote(`Check ${email.trim()} for a link that signs you in and joins you.`);
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const gone = preview && preview.status !== "active" ? GONE[preview.status] : null;
  return (
    <main class="login">
      <div class="login-card">
        <a class="login-brand" href="/">
          <img src="/favicon.svg" alt="" width="36" height="36" />
          <span>ClickClack</span>
        </a>
        {problem || gone ? (
          <>
            <h1>Invite link</h1>
            <p class="login-alert" role="alert">
              {problem ?? gone} Ask whoever sent it for a new one.
            </p>
            <a class="button block" href="/app">
              Go to ClickClack
            </a>
          </>
        ) : !preview || a.status === "loading" ? (
          <p class="login-status" role="status">
            Opening the invite…
          </p>
        ) : (
          <>
            <h1>Join {preview.workspace.name}</h1>
            <p class="login-info">You are invited as {preview.role === "guest" ? "a guest (the #guest channel only)" : "a member"}.</p>
            {a.status === "signed-in" ? (
              <button type="button" class="button primary block" disabled={busy} onClick={() => void join()}>
                Join as {a.user.display_name}
              </button>
            ) : preview.email_sign_in ? (
              note ? (
                <p class="login-info" role="status">
                  {note}
                </p>
              ) : (
                <form class="login-form" onSubmit={mailMe}>
                  <label for="invite-email">Your email</label>
                  <input id="invite-email" type="email" autocomplete="email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
                  <button type="submit" class="button primary block" disabled={busy}>
                    Email me a sign-in link
                  </button>
                </form>
              )
            ) : (
              <form
                class="login-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void join(name.trim());
                }}
              >
                <label for="invite-name">Your name</label>
                <input id="invite-name" autocomplete="name" required maxLength={80} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
                <button type="submit" class="button primary block" disabled={busy}>
                  Join {preview.workspace.name}
                </button>
              </form>
            )}
          </>
        )}
      </div>
    </main>
  );
}
