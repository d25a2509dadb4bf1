// Who is who in the workspace: roles (only full members drive an agent) and names (the agent is
// told who is speaking). Loaded once, reloaded when an unknown id shows up (at most every few
// seconds, so a flood of strangers cannot turn into a flood of requests).
import type { ClickClackClient, User } from "../../../sdk/src/index.ts";

export interface Person {
  user: User;
  role: string;
}

const RELOAD_MIN_MS = 3_000;
/** Roles change (a member becomes a guest, a person leaves): the directory is re-read this often. */
const FRESH_MS = 5 * 60_000;
const PAGE = 200;

export class People {
  private byId = new Map<string, Person>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly client: ClickClackClient,
    private readonly workspaceId: string,
  ) {}

  /** The member, reloading the directory if the id is new to us or the directory is old. */
  async get(userId: string): Promise<Person | null> {
    const age = Date.now() - this.loadedAt;
    const known = this.byId.get(userId);
    if (known && age < FRESH_MS) return known;
    if (age >= RELOAD_MIN_MS) await this.reload();
    return this.byId.get(userId) ?? null;
  }

  /** Already-known member (no request), for naming authors while building a prompt. */
  peek(userId: string): Person | null {
    return this.byId.get(userId) ?? null;
  }

  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const next = new Map<string, Person>();
    let cursor: string | undefined;
    for (;;) {
      const page = await this.client.workspaces.members(this.workspaceId, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const m of page.members) next.set(m.user.id, { user: m.user, role: m.role });
      if (!page.has_more || !page.next_cursor) break;
      cursor = page.next_cursor;
    }
    this.byId = next;
    this.loadedAt = Date.now();
  }
}

/** "Ada Lovelace (@ada)". */
export function personLabel(user: Pick<User, "display_name" | "handle"> | null | undefined, fallbackId = "someone"): string {
  if (!user) return fallbackId;
  return user.display_name && user.display_name !== user.handle ? `${user.display_name} (@${user.handle})` : `@${user.handle}`;
}
