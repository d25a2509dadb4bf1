// Who is signed in. The app starts "loading", asks /api/me, and lands signed in or signed out;
// any later 401 (an expired or revoked session) flips it to signed out with the reason shown.
import { signal } from "@preact/signals";
import { api, ApiError, setUnauthorizedHandler } from "./api.ts";
import { setMyHandle } from "./markdown.ts";
import { navigate } from "./routes.ts";
import type { User } from "./types.ts";

export type AuthState =
  | { status: "loading" }
  | { status: "signed-in"; user: User }
  | { status: "signed-out"; reason: "none" | "expired" | "signed-out"; message?: string };

export const auth = signal<AuthState>({ status: "loading" });

// Rendered mentions depend on who is signed in.
auth.subscribe((a) => setMyHandle(a.status === "signed-in" ? a.user.handle : ""));

export function currentUser(): User | null {
  const a = auth.value;
  return a.status === "signed-in" ? a.user : null;
}

function signedOut(reason: "none" | "expired" | "signed-out", message?: string): void {
  auth.value = { status: "signed-out", reason, message };
}

setUnauthorizedHandler((error) => {
  if (auth.peek().status !== "signed-in") return;
  signedOut("expired", error.message);
});

/** This device's time zone, as the browser names it (IANA). */
export const deviceTimeZone = (): string | null => Intl.DateTimeFormat().resolvedOptions().timeZone || null;

/**
 * A person who never chose a time zone gets their device's, so others see their local time
 * without anyone visiting settings. Best effort: a failure changes nothing.
 */
let adopting: string | null = null;
function adoptDeviceTimeZone(user: User): void {
  const zone = deviceTimeZone();
  if (user.time_zone || !zone || adopting === user.id) return;
  adopting = user.id;
  api.updateMe({ time_zone: zone }).then(({ user: updated }) => updateCurrentUser(updated), () => {});
}
// Whichever way the person signed in (a link, a password, a session already there).
auth.subscribe((a) => a.status === "signed-in" && adoptDeviceTimeZone(a.user));

export async function loadSession(): Promise<void> {
  try {
    const { user } = await api.me();
    auth.value = { status: "signed-in", user };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      const expired = err.code === "session_expired" || auth.peek().status === "signed-in";
      signedOut(expired ? "expired" : "none", expired ? err.message : undefined);
    } else if (auth.peek().status !== "signed-in") {
      signedOut("none", `Could not reach the server: ${(err as Error).message}`);
    }
    // Signed in and the server is unreachable: stay; the connection banner says so.
  }
}

/** Consumes a magic-link token; on success the server has set the session cookie. */
export async function signInWithToken(token: string): Promise<void> {
  const { user } = await api.consumeMagicLink(token);
  auth.value = { status: "signed-in", user };
  navigate("/app", { replace: true });
}

/** Password sign-in (servers with --password-auth): the server sets the session cookie. */
export async function signInWithPassword(login: string, password: string): Promise<void> {
  const { user } = await api.passwordLogin(login.includes("@") && !login.startsWith("@") ? { email: login, password } : { handle: login, password });
  auth.value = { status: "signed-in", user };
  navigate("/app", { replace: true });
}

/** Never throws: whatever the server says, this browser ends signed out. */
export async function signOut(everywhere = false): Promise<void> {
  try {
    await (everywhere ? api.logoutEverywhere() : api.logout());
  } catch {
    // Offline or already signed out: the cookie is cleared on the next sign-in either way.
  }
  // Drop everything tied to the old identity; a full reload is the simplest clean slate.
  signedOut("signed-out");
  navigate("/app/login", { replace: true });
}

export const signOutEverywhere = () => signOut(true);

export function updateCurrentUser(user: User): void {
  if (auth.peek().status === "signed-in") auth.value = { status: "signed-in", user };
}
