// The root: signed in, the app; signed out (or on the magic-link page), sign-in.
import { useEffect } from "preact/hooks";
import { navigate, route } from "../routes.ts";
import { auth, loadSession } from "../session.ts";
import { stopSync } from "../state/sync.ts";
import { Embed, EmbedSignIn } from "./Embed.tsx";
import { InvitePage } from "./InvitePage.tsx";
import { Login } from "./Login.tsx";
import { Shell } from "./Shell.tsx";

export function App() {
  const a = auth.value;
  const r = route.value;
  useEffect(() => {
    // A magic link signs in fresh, whoever was signed in before.
    if (r.name === "login" && location.hash.includes("token=")) auth.value = { status: "signed-out", reason: "none" };
    else void loadSession();
  }, []);
  useEffect(() => {
    if (a.status === "signed-out") stopSync();
    if (a.status === "signed-in" && r.name === "login") navigate("/app", { replace: true });
  }, [a.status, r.name]);

  if (a.status === "loading")
    return (
      <div class="boot" role="status">
        Loading ClickClack…
      </div>
    );
  // An invite link works signed in or out: it decides what to ask.
  if (r.name === "invite") return <InvitePage />;
  // An embed signs in elsewhere (a tab of its own) and never turns into the whole app.
  if (r.name === "embed") return a.status === "signed-out" ? <EmbedSignIn /> : <Embed key={`${r.kind}/${r.target}`} me={a.user} kind={r.kind} workspace={r.workspace} target={r.target} />;
  if (a.status === "signed-out" || r.name === "login") return <Login />;
  return <Shell key={a.user.id} me={a.user} />;
}
