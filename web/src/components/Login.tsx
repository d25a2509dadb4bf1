// Signing in. A magic link lands here as /app/login#token=mgt_… (a fragment, so the token never
// reaches a server log); otherwise the page offers the sign-in methods the server has.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { auth, signInWithPassword, signInWithToken } from "../session.ts";

type Providers = { magic_link: boolean; github: boolean; oidc: { name: string } | null; password: boolean; dev: boolean };

function tokenFromHash(): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  return params.get("token");
}

export function Login() {
  const [token] = useState(tokenFromHash);
  const [busy, setBusy] = useState(!!token);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [email, setEmail] = useState("");
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [providers, setProviders] = useState<Providers | null>(null);
  const a = auth.value;
  const reason = a.status === "signed-out" ? a.reason : "none";

  useEffect(() => {
    api.providers().then(setProviders, () => setProviders({ magic_link: true, github: false, oidc: null, password: false, dev: false }));
    if (!token) return;
    // Out of the address bar and the history at once.
    history.replaceState(null, "", "/app/login");
    signInWithToken(token).catch((err: unknown) => {
      setBusy(false);
      setError(err instanceof ApiError && err.status === 401 ? "This sign-in link is invalid, already used or expired. Ask for a new one." : `Could not sign in: ${(err as Error).message}`);
    });
  }, []);

  const request = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setNote(null);
    setBusy(true);
    try {
      const res = await api.requestMagicLink(email.trim());
      // Dev mode on this machine hands the token straight back: use it.
      if (res.token) await signInWithToken(res.token);
      else setNote("Check your email for a sign-in link.");
    } catch (err) {
      if (err instanceof ApiError && err.status === 501) {
        setNote("This server does not send email. Ask an admin for a sign-in link (clickclack admin magic-link create --email you@example.com).");
      } else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const passwordSignIn = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await signInWithPassword(login.trim(), password);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? "Wrong email, handle or password." : err instanceof ApiError && err.status === 429 ? "Too many attempts. Wait a minute and try again." : `Could not sign in: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <div class="login-card">
        <a class="login-brand" href="/">
          <img src="/favicon.svg" alt="" width="36" height="36" />
          <span>ClickClack</span>
        </a>
        {busy && token ? (
          <p class="login-status" role="status">
            Signing you in…
          </p>
        ) : (
          <>
            <h1>Sign in</h1>
            {reason === "expired" && !error && (
              <p class="login-alert" role="alert">
                Your session has expired. Sign in again to pick up where you left off.
              </p>
            )}
            {reason === "signed-out" && !error && <p class="login-info">You are signed out.</p>}
            {a.status === "signed-out" && a.message && reason === "none" && <p class="login-alert">{a.message}</p>}
            {error && (
              <p class="login-alert" role="alert">
                {error}
              </p>
            )}
            {providers?.github && (
              <a class="button primary block" href="/api/auth/github/start?return_to=%2Fapp">
                Continue with GitHub
              </a>
            )}
            {providers?.oidc && (
              <a class="button primary block" href="/api/auth/oidc/start?return_to=%2Fapp">
                Sign in with {providers.oidc.name}
              </a>
            )}
            {(providers?.github || providers?.oidc) && <div class="login-or">or</div>}
            {providers?.password && (
              <form class="login-form" onSubmit={passwordSignIn}>
                <label for="login-name">Email or handle</label>
                <input id="login-name" autocomplete="username" required value={login} onInput={(e) => setLogin((e.target as HTMLInputElement).value)} />
                <label for="login-password">Password</label>
                <input id="login-password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
                <button type="submit" class="button primary block" disabled={busy}>
                  Sign in
                </button>
              </form>
            )}
            {providers?.password && <div class="login-or">or</div>}
            <form class="login-form" onSubmit={request}>
              <label for="login-email">Email</label>
              <input id="login-email" type="email" autocomplete="email" required placeholder="you@example.com" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
              <button type="submit" class="button primary block" disabled={busy}>
                {busy ? "Sending…" : "Email me a sign-in link"}
              </button>
            </form>
            {note && (
              <p class="login-info" role="status">
                {note}
              </p>
            )}
          </>
        )}
      </div>
    </main>
  );
}
