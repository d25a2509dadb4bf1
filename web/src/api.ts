// The HTTP client. The session is the HttpOnly `cc_session` cookie, so every write must carry
// X-ClickClack-CSRF: 1 (the server refuses cookie-authenticated writes without it). Failures are
// split in two: ApiError (the server answered) and NetworkError (it did not; safe to retry with
// the same nonce).
import type {
  AuditLogEntry, ChannelDeletePreview, FollowedThread, WorkspaceDeletePreview,
  ChatEvent, Channel, DirectConversation, Invite, InvitePreview, Member, Message, MessagePage, Reaction, SearchResult, SlashCommandInfo, RouteTarget, ThreadPage, ThreadState, Upload, User, Workspace, WorkspaceBotCommand,
} from "./types.ts";

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly body?: Record<string, unknown>) {
    super(message);
  }
}

export class NetworkError extends Error {}

/** The server has no such endpoint at all (an older build: uploads or search not there yet). */
export function routeMissing(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 405) && (err.message === "no such route" || err.code === "http_404");
}

type Unauthorized = (error: ApiError) => void;
let onUnauthorized: Unauthorized = () => {};
/** Called for every 401 (except the sign-in calls themselves): the session is gone. */
export function setUnauthorizedHandler(fn: Unauthorized): void {
  onUnauthorized = fn;
}

export interface RequestOptions {
  body?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  /** Do not report a 401 to the session handler (sign-in calls). */
  quiet401?: boolean;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") headers["X-ClickClack-CSRF"] = "1";
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: "same-origin", signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new NetworkError(`could not reach the server (${(err as Error).message})`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text().catch(() => "");
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy's HTML error page: keep the status, drop the body.
  }
  if (!res.ok) {
    const b = (data ?? {}) as Record<string, unknown>;
    const error = new ApiError(res.status, String(b.code ?? `http_${res.status}`), String(b.error ?? res.statusText ?? "request failed"), b);
    if (res.status === 401 && !opts.quiet401) onUnauthorized(error);
    // 502/503/504 from a proxy or a restarting server: as good as unreachable.
    if (res.status >= 502 && res.status <= 504) throw new NetworkError(error.message);
    throw error;
  }
  return data as T;
}

/**
 * A multipart POST that reports how much of the body has been sent. fetch() cannot report upload
 * progress, so this one request goes through XMLHttpRequest, with the same errors as request().
 */
function uploadWithProgress<T>(path: string, form: FormData, onProgress?: (fraction: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-ClickClack-CSRF", "1");
    xhr.withCredentials = true;
    if (onProgress) xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new NetworkError("could not reach the server (upload)"));
    xhr.onload = () => {
      let data: Record<string, unknown> = {};
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : {};
      } catch {
        // A proxy's HTML error page: keep the status, drop the body.
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data as T);
      const error = new ApiError(xhr.status, String(data.code ?? `http_${xhr.status}`), String(data.error ?? xhr.statusText ?? "upload failed"), data);
      if (xhr.status === 401) onUnauthorized(error);
      reject(xhr.status >= 502 && xhr.status <= 504 ? new NetworkError(error.message) : error);
    };
    xhr.send(form);
  });
}

const q = (params: Record<string, string | number | boolean | undefined | null>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") s.set(k, String(v));
  const str = s.toString();
  return str ? `?${str}` : "";
};
const enc = encodeURIComponent;

export interface PageQuery {
  after_seq?: number;
  before_seq?: number;
  around_seq?: number;
  limit?: number;
  /** Threads only: the latest replies instead of the oldest. */
  latest?: boolean;
}

export interface PostInput {
  body: string;
  nonce: string;
  quoted_message_id?: string | null;
  upload_id?: string | null;
}

/** Base path of a scope's messages: channels and DMs share every other shape. */
const scopePath = (kind: "channel" | "dm", id: string) => (kind === "channel" ? `/api/channels/${enc(id)}` : `/api/dms/${enc(id)}`);

export const api = {
  providers: () => request<{ magic_link: boolean; github: boolean; oidc: { name: string } | null; password: boolean; dev: boolean }>("GET", "/api/auth/providers"),
  passwordLogin: (body: { email?: string; handle?: string; password: string }) => request<{ user: User }>("POST", "/api/auth/password/login", { body, quiet401: true }),
  consumeMagicLink: (token: string) => request<{ user: User }>("POST", "/api/auth/magic/consume", { body: { token }, quiet401: true }),
  requestMagicLink: (email: string) => request<{ token?: string }>("POST", "/api/auth/magic/request", { body: { email }, quiet401: true }),
  logout: () => request<{ ok: true }>("POST", "/api/auth/logout", { quiet401: true }),
  me: () => request<{ user: User }>("GET", "/api/me", { quiet401: true }),
  updateMe: (change: { display_name?: string; handle?: string; time_zone?: string; avatar_upload_id?: string | null }) => request<{ user: User }>("PATCH", "/api/me", { body: change }),
  logoutEverywhere: () => request<{ ok: true; revoked: number }>("POST", "/api/auth/logout-everywhere", { quiet401: true }),

  workspaces: () => request<{ workspaces: Workspace[] }>("GET", "/api/workspaces"),
  invites: (workspaceId: string) => request<{ invites: Invite[] }>("GET", `/api/workspaces/${encodeURIComponent(workspaceId)}/invites`),
  createInvite: (workspaceId: string, body: { role: "member" | "guest"; expires_in_hours: number | null; max_uses: number | null; email?: string }) =>
    request<{ invite: Invite; token: string; url: string }>("POST", `/api/workspaces/${encodeURIComponent(workspaceId)}/invites`, { body }),
  revokeInvite: (workspaceId: string, id: string) => request<{ invite: Invite }>("DELETE", `/api/workspaces/${encodeURIComponent(workspaceId)}/invites/${encodeURIComponent(id)}`),
  previewInvite: (token: string) => request<{ invite: InvitePreview }>("POST", "/api/invites/preview", { body: { token }, quiet401: true }),
  acceptInvite: (token: string, displayName?: string) => request<{ workspace_id: string; joined: boolean; user: User }>("POST", "/api/invites/accept", { body: { token, display_name: displayName }, quiet401: true }),
  emailInvite: (token: string, email: string) => request<{ ok: true }>("POST", "/api/invites/email", { body: { token, email }, quiet401: true }),
  createWorkspace: (name: string) => request<{ workspace: Workspace }>("POST", "/api/workspaces", { body: { name } }),
  workspaceDeletePreview: (id: string) => request<{ delete_preview: WorkspaceDeletePreview }>("GET", `/api/workspaces/${enc(id)}/delete-preview`),
  deleteWorkspace: (id: string) => request<void>("DELETE", `/api/workspaces/${enc(id)}`),
  transferOwnership: (id: string, userId: string) => request<{ workspace: Workspace }>("POST", `/api/workspaces/${enc(id)}/transfer-ownership`, { body: { user_id: userId } }),
  auditLog: (id: string, before?: string) => request<{ audit_log_entries: AuditLogEntry[]; next_cursor?: string }>("GET", `/api/workspaces/${enc(id)}/audit-log${q({ limit: 50, before })}`),
  members: (workspaceId: string, opts: { q?: string; limit?: number; cursor?: string } = {}) =>
    request<{ members: Member[]; next_cursor: string | null; has_more: boolean; total_count: number }>("GET", `/api/workspaces/${enc(workspaceId)}/members${q(opts)}`),

  channels: (workspaceId: string, opts: { includeArchived?: boolean } = {}) =>
    request<{ channels: Channel[] }>("GET", `/api/workspaces/${enc(workspaceId)}/channels${q({ include_archived: opts.includeArchived ? "true" : undefined })}`),
  channel: (id: string) => request<{ channel: Channel }>("GET", `/api/channels/${enc(id)}`),
  createChannel: (workspaceId: string, name: string, opts: { displayTitle?: string; private?: boolean } = {}) =>
    request<{ channel: Channel }>("POST", `/api/workspaces/${enc(workspaceId)}/channels`, {
      body: { name, ...(opts.displayTitle ? { display_title: opts.displayTitle } : {}), ...(opts.private ? { private: true } : {}) },
    }),
  channelMembers: (id: string) => request<{ members: User[] }>("GET", `/api/channels/${enc(id)}/members`),
  addChannelMember: (id: string, userId: string) => request<unknown>("POST", `/api/channels/${enc(id)}/members`, { body: { user_id: userId } }),
  removeChannelMember: (id: string, userId: string) => request<unknown>("DELETE", `/api/channels/${enc(id)}/members/${enc(userId)}`),
  channelDeletePreview: (id: string) => request<{ delete_preview: ChannelDeletePreview }>("GET", `/api/channels/${enc(id)}/delete-preview`),
  deleteChannel: (id: string) => request<void>("DELETE", `/api/channels/${enc(id)}`),
  updateChannel: (id: string, change: { name?: string; display_title?: string | null; archived?: boolean }) => request<{ channel: Channel }>("PATCH", `/api/channels/${enc(id)}`, { body: change }),

  dms: (workspaceId: string) => request<{ conversations: DirectConversation[] }>("GET", `/api/dms${q({ workspace_id: workspaceId })}`),
  dm: (id: string) => request<{ conversation: DirectConversation }>("GET", `/api/dms/${enc(id)}`),
  openDm: (workspaceId: string, memberIds: string[]) => request<{ conversation: DirectConversation }>("POST", "/api/dms", { body: { workspace_id: workspaceId, member_ids: memberIds } }),

  page: (kind: "channel" | "dm", id: string, query: PageQuery) => request<MessagePage>("GET", `${scopePath(kind, id)}/messages${q({ ...query })}`),
  post: (kind: "channel" | "dm", id: string, input: PostInput) => request<{ message: Message }>("POST", `${scopePath(kind, id)}/messages`, { body: input }),
  markRead: (kind: "channel" | "dm", id: string, seq: number) => request<unknown>("POST", `${scopePath(kind, id)}/read`, { body: { seq } }),
  byNonce: (workspaceId: string, nonce: string) => request<{ message: Message }>("GET", `/api/messages/by-nonce${q({ workspace_id: workspaceId, nonce })}`),

  message: (id: string) => request<{ message: Message }>("GET", `/api/messages/${enc(id)}`),
  route: (workspaceRoute: string, targetRoute: string) => request<{ route: RouteTarget }>("GET", `/api/routes/${enc(workspaceRoute)}/${enc(targetRoute)}`),
  edit: (id: string, body: string) => request<{ message: Message }>("PATCH", `/api/messages/${enc(id)}`, { body: { body } }),
  remove: (id: string) => request<{ message: Message }>("DELETE", `/api/messages/${enc(id)}`),
  followedThreads: (workspaceId: string) => request<{ threads: FollowedThread[] }>("GET", `/api/workspaces/${enc(workspaceId)}/threads`),
  readThread: (rootId: string, seq: number) => request<unknown>("POST", `/api/messages/${enc(rootId)}/thread/read`, { body: { seq } }),
  thread: (id: string, query: PageQuery = {}) => request<ThreadPage>("GET", `/api/messages/${enc(id)}/thread${q({ ...query })}`),
  reply: (rootId: string, input: PostInput) => request<{ message: Message; thread_state: ThreadState }>("POST", `/api/messages/${enc(rootId)}/thread/replies`, { body: input }),
  react: (id: string, emoji: string) => request<{ reactions: Reaction[] }>("POST", `/api/messages/${enc(id)}/reactions`, { body: { emoji } }),
  /** Answer a bot's question card (409 when someone answered first or it expired). */
  answerQuestion: (id: string, body: { answers: Record<string, string[]>; expected_version?: number; nonce?: string }) =>
    request<{ message: Message }>("POST", `/api/messages/${enc(id)}/question/answers`, { body }),
  unreact: (id: string, emoji: string) => request<{ reactions: Reaction[] }>("DELETE", `/api/messages/${enc(id)}/reactions/${enc(emoji)}`),

  pins: (channelId: string) => request<{ messages: Message[] }>("GET", `/api/channels/${enc(channelId)}/pins`),
  pin: (channelId: string, messageId: string) => request<unknown>("POST", `/api/channels/${enc(channelId)}/pins`, { body: { message_id: messageId } }),
  unpin: (channelId: string, messageId: string) => request<unknown>("DELETE", `/api/channels/${enc(channelId)}/pins/${enc(messageId)}`),

  search: (workspaceId: string, text: string, limit = 30) => request<{ results: SearchResult[]; next_cursor: string | null }>("GET", `/api/search${q({ workspace_id: workspaceId, q: text, limit })}`),
  upload: (workspaceId: string, file: File, nonce: string, onProgress?: (fraction: number) => void) => {
    const form = new FormData();
    form.set("file", file, file.name);
    return uploadWithProgress<{ upload: Upload }>(`/api/uploads${q({ workspace_id: workspaceId, nonce })}`, form, onProgress);
  },

  /** Registered slash commands (every member sees them; callbacks only for managers). */
  slashCommands: (workspaceId: string) => request<{ slash_commands: SlashCommandInfo[] }>("GET", `/api/workspaces/${enc(workspaceId)}/slash-commands`),
  /** The command menus bots publish (PUT /api/bots/self/commands). */
  botCommands: (workspaceId: string) => request<{ bot_commands: WorkspaceBotCommand[] }>("GET", `/api/workspaces/${enc(workspaceId)}/bot-commands`),
  /** Runs a registered command in a channel; the session is the caller, as in a form post. */
  runSlashCommand: (channelId: string, command: string, text: string) =>
    request<{ response_type: "in_channel" | "ephemeral"; text: string; message?: Message }>("POST", `/api/hooks/slash/${enc(channelId)}`, { body: { command, text } }),

  events: (workspaceId: string, query: { after_cursor?: string; limit?: number; include_tail?: boolean }) =>
    request<{ events: ChatEvent[]; tail_cursor?: string; next_cursor: string; has_more: boolean }>("GET", `/api/realtime/events${q({ workspace_id: workspaceId, ...query })}`),
  channelPreferences: (workspaceId: string) =>
    request<{ channels: { channel_id: string; starred: boolean; preference?: "all" | "mentions" | "muted" }[] }>("GET", `/api/workspaces/${workspaceId}/channel-preferences`),
  star: (channelId: string) => request<unknown>("PUT", `/api/channels/${channelId}/star`, { body: {} }),
  unstar: (channelId: string) => request<unknown>("DELETE", `/api/channels/${channelId}/star`),
  setChannelPreference: (channelId: string, preference: "all" | "mentions" | "muted") =>
    request<unknown>("PATCH", `/api/channels/${channelId}/notification-settings`, { body: { preference } }),
  presence: (workspaceId: string) => request<{ presence: { user_id: string; status: "online" | "away" }[] }>("GET", `/api/workspaces/${workspaceId}/presence`),
  ephemeral: (input: { workspace_id: string; type: string; channel_id?: string | null; direct_conversation_id?: string | null; payload?: Record<string, unknown> }) =>
    request<unknown>("POST", "/api/realtime/ephemeral", { body: input }),
};
