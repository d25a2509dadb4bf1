// The workspace around the conversation: workspaces, channels, DMs, people, and the counts the
// sidebar shows. Unread counts are updated from events idempotently (by sequence number), so
// replaying events the lists already include never counts a message twice. Mention counts are the
// server's: read events carry them, and a new mention reloads the lists, so every device agrees.
import { computed, signal } from "@preact/signals";
import { api } from "../api.ts";
import type { Channel, DirectConversation, FollowedThread, Member, Message, User, Workspace } from "../types.ts";

export const workspaces = signal<Workspace[]>([]);
export const workspaceId = signal<string | null>(null);
export const channels = signal<Channel[]>([]);
/** Archived channels: out of the sidebar, still readable by link and in the channel browser. */
export const archivedChannels = signal<Channel[]>([]);
export const dms = signal<DirectConversation[]>([]);
export const users = signal<ReadonlyMap<string, User>>(new Map());
export const memberCount = signal(0);
/** Bumped when someone joins or leaves a private channel: its open member list reloads. */
export const channelMembersEpoch = signal(0);
/** Workspace roles by user id, as far as the member directory was loaded. */
export const roles = signal<ReadonlyMap<string, Member["role"]>>(new Map());
/** Threads I follow in this workspace, most recent reply first. */
export const followedThreads = signal<FollowedThread[]>([]);
export const threadMentions = computed(() => followedThreads.value.reduce((n, t) => n + t.mention_count, 0));

export const currentWorkspace = computed(() => workspaces.value.find((w) => w.id === workspaceId.value) ?? null);
/** Owners and moderators manage channels (rename, topic, archive), as the server's rules say. */
export const canManageChannels = computed(() => {
  const role = currentWorkspace.value?.role;
  return role === "owner" || role === "moderator";
});

export function rememberUsers(list: Iterable<User | undefined | null>): void {
  let next: Map<string, User> | null = null;
  for (const u of list) {
    if (!u) continue;
    const had = (next ?? users.peek()).get(u.id);
    if (had && had.display_name === u.display_name && had.handle === u.handle && had.avatar_url === u.avatar_url) continue;
    next ??= new Map(users.peek());
    next.set(u.id, u);
  }
  if (next) users.value = next;
}

export function rememberRoles(members: Member[]): void {
  const next = new Map(roles.peek());
  for (const m of members) next.set(m.user.id, m.role);
  roles.value = next;
}

export const rememberAuthors = (messages: Message[]) => rememberUsers(messages.map((m) => m.author));

export async function loadWorkspaces(): Promise<Workspace[]> {
  const { workspaces: list } = await api.workspaces();
  workspaces.value = list;
  return list;
}

/** Channels, DMs and the member directory of one workspace. */
export async function loadDirectory(id: string, _meId: string): Promise<void> {
  const [ch, dm, threads, members] = await Promise.all([
    api.channels(id, { includeArchived: true }),
    api.dms(id),
    api.followedThreads(id).catch(() => null),
    // Guests may not browse the directory; the app still works without it.
    api.members(id, { limit: 200 }).catch(() => null),
  ]);
  setChannels(ch.channels);
  dms.value = dm.conversations;
  rememberUsers(dm.conversations.flatMap((c) => c.members));
  if (members) {
    rememberUsers(members.members.map((m) => m.user));
    rememberRoles(members.members);
    memberCount.value = members.total_count;
  }
  followedThreads.value = threads?.threads ?? [];
}

export async function refreshThreads(id: string): Promise<void> {
  followedThreads.value = (await api.followedThreads(id)).threads;
}

let mentionsTimer: ReturnType<typeof setTimeout> | undefined;
/** Someone mentioned me: the server's counts are the truth; a burst reloads them once. */
export function noteMention(): void {
  mentionsTimer ??= setTimeout(() => {
    mentionsTimer = undefined;
    const id = workspaceId.peek();
    if (!id) return;
    void refreshChannels(id).catch(() => {});
    void refreshDms(id).catch(() => {});
    void refreshThreads(id).catch(() => {});
  }, 150);
}

function setChannels(list: Channel[]): void {
  channels.value = list.filter((c) => !c.archived_at);
  archivedChannels.value = list.filter((c) => c.archived_at);
}

export async function refreshChannels(id: string): Promise<void> {
  setChannels((await api.channels(id, { includeArchived: true })).channels);
}

/** A channel of this workspace by id or route id, archived or not. */
export function findChannel(id: string): Channel | undefined {
  const match = (c: Channel) => c.id === id || c.route_id === id;
  return channels.value.find(match) ?? archivedChannels.value.find(match);
}

export async function refreshDms(id: string): Promise<void> {
  const { conversations } = await api.dms(id);
  rememberUsers(conversations.flatMap((c) => c.members));
  dms.value = conversations;
}

function patchScope(id: string, fn: (s: { last_seq: number; last_read_seq: number; unread_count: number }) => Partial<Channel> | null): boolean {
  let found = false;
  const apply = <T extends Channel | DirectConversation>(list: T[]): T[] | null => {
    const i = list.findIndex((s) => s.id === id);
    if (i < 0) return null;
    found = true;
    const change = fn(list[i]!);
    if (!change) return null;
    const next = list.slice();
    next[i] = { ...list[i]!, ...change };
    return next;
  };
  const c = apply(channels.peek());
  if (c) channels.value = c;
  const d = apply(dms.peek());
  if (d) dms.value = d;
  return found;
}

/** A new message in a scope. Returns false when the scope is unknown (a new DM, say). */
export function noteMessage(scopeId: string, seq: number, authorId: string, meId: string, activity: boolean): boolean {
  return patchScope(scopeId, (s) => {
    if (seq <= s.last_seq) return null; // already counted by the list we loaded
    const counts = authorId !== meId && !activity && seq > s.last_read_seq;
    return { last_seq: seq, unread_count: s.unread_count + (counts ? 1 : 0) };
  });
}

/** My read pointer moved (here or in another tab); `mentions` is what the server says is left. */
export function noteRead(scopeId: string, seq: number, mentions?: number): void {
  patchScope(scopeId, (s) => {
    const change: Partial<Channel> = {};
    if (seq > s.last_read_seq) Object.assign(change, { last_read_seq: seq, unread_count: seq >= s.last_seq ? 0 : s.unread_count });
    if (typeof mentions === "number") change.mention_count = mentions;
    return Object.keys(change).length ? change : null;
  });
}

/** A thread's read pointer moved: its mentions are read, and the scope's count is the server's. */
export function noteThreadRead(rootId: string, scopeId: string | null, seq: number, scopeMentions?: number): void {
  followedThreads.value = followedThreads.peek().map((t) => (t.root_message_id === rootId ? { ...t, last_read_seq: Math.max(t.last_read_seq, seq), mention_count: 0, unread_count: 0 } : t));
  if (scopeId && typeof scopeMentions === "number") patchScope(scopeId, () => ({ mention_count: scopeMentions }));
}

export function mentionCount(scopeId: string): number {
  return scopeOf(scopeId)?.kind === "channel" ? (channels.value.find((c) => c.id === scopeId)?.mention_count ?? 0) : (dms.value.find((d) => d.id === scopeId)?.mention_count ?? 0);
}

export function scopeOf(id: string): { kind: "channel"; channel: Channel } | { kind: "dm"; dm: DirectConversation } | null {
  const channel = channels.value.find((c) => c.id === id);
  if (channel) return { kind: "channel", channel };
  const dm = dms.value.find((d) => d.id === id);
  return dm ? { kind: "dm", dm } : null;
}

export function userName(id: string | null | undefined): string {
  if (!id) return "Someone";
  return users.value.get(id)?.display_name ?? "Someone";
}

/** Who a message is shown as: a webhook's post by the webhook's name (or its sender's `username`). */
export function authorName(m: Pick<Message, "author_id" | "author" | "posted_by_webhook"> | null | undefined): string {
  return m?.posted_by_webhook?.name ?? m?.author?.display_name ?? userName(m?.author_id);
}

/** A DM's title: the other members' names (or yours, for a note-to-self). */
export function dmTitle(dm: DirectConversation, meId: string | undefined): string {
  const others = dm.members.filter((m) => m.id !== meId);
  return (others.length ? others : dm.members).map((m) => m.display_name).join(", ");
}
