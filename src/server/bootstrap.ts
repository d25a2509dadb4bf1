import type { Store } from "../store/store.ts";

/** A first user, a workspace and #general, so a newcomer lands somewhere useful. Idempotent. */
export async function devBootstrap(store: Store, opts: { quiet?: boolean } = {}): Promise<void> {
  const existing = await store.users.first();
  if (existing) return;
  const user = await store.users.create({ kind: "human", displayName: "Dev User", handle: "dev", email: "dev@localhost" });
  const { workspace } = await store.workspaces.create({ name: "Dev Workspace", slug: "dev", ownerId: user.id });
  if (!opts.quiet) console.log(`dev bootstrap: user @${user.handle} (${user.id}), workspace ${workspace.name} (${workspace.id}) with #general`);
}
