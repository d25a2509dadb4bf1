// Opt-in passwords (--password-auth): hashing with Bun.password (argon2id) and checking a sign-in.
// There is no self-registration: an operator sets a first password (clickclack admin user
// set-password); people then change their own.
import { invalid } from "../chat/errors.ts";
import type { User } from "../chat/types.ts";
import type { Store } from "../store/store.ts";

export const PASSWORD_MIN = 10;
/** argon2 takes any length, but hashing megabytes per guess would be a cheap way to burn CPU. */
export const PASSWORD_MAX = 256;

export function assertPasswordShape(password: string): void {
  if (password.length < PASSWORD_MIN) throw invalid(`a password needs at least ${PASSWORD_MIN} characters`, "password_too_short");
  if (password.length > PASSWORD_MAX) throw invalid(`a password may have at most ${PASSWORD_MAX} characters`, "password_too_long");
}

export const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: "argon2id" });

/** Verified against when there is no account or no password, so both answers take as long. */
let decoy: Promise<string> | null = null;

/** The person these credentials belong to, or null; the same work is done either way. */
export async function checkPassword(store: Store, login: { email?: string; handle?: string }, password: string): Promise<User | null> {
  const user = login.email ? await store.users.byEmail(login.email) : login.handle ? await store.users.byHandle(login.handle) : null;
  const hash = user && user.kind === "human" ? await store.identity.passwordHash(user.id) : null;
  if (!hash) {
    await Bun.password.verify(password, await (decoy ??= hashPassword("decoy password that matches nothing")));
    return null;
  }
  return (await verifyPassword(password, hash)) ? user : null;
}

/** A hash that is not one (damaged, or hand-edited) matches nothing rather than failing with a 500. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await Bun.password.verify(password, hash);
  } catch {
    return false;
  }
}

export async function setPassword(store: Store, userId: string, password: string): Promise<void> {
  assertPasswordShape(password);
  await store.identity.setPasswordHash(userId, await hashPassword(password));
}
