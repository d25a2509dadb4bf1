// The Store contract: every read and write the handlers need, dialect-neutral and async. SQLite
// (src/store/sqlite) implements it today; a Postgres implementation slots in beside it. Writes
// return the domain objects and the durable events committed in the same transaction.
import type { AuditLogEntry, NewAuditEntry } from "../chat/audit.ts";
import type { ChannelDeletePreview, WorkspaceDeletePreview } from "../chat/administration.ts";
import type { ChannelPresentation } from "../chat/channels.ts";
import type { BotCommand, BotCommandInput, BotSetupCode, DeletedBot, SetupDefaults, WorkspaceBotCommand } from "../chat/bots.ts";
import type { AnswerInput, MessageQuestion, QuestionInput, ResolutionInput } from "../chat/questions.ts";
import type { ConnectedAccount } from "../chat/connected-accounts.ts";
import type {
  Channel, ChatEvent, DirectConversation, Member, Message, MessageKind, MessagePage, PageWindow,
  ReactionSummary, ReadReceipt, Role, StoredEvent, ThreadPage, ThreadState, User, UserKind, Workspace,
} from "../chat/types.ts";
import type { ChannelPreference, FollowedThread, NotificationSetting } from "../chat/notifications.ts";
import type { PushCandidate, WebPushSubscription } from "../chat/push.ts";
import type { PresenceChange } from "../chat/presence.ts";
import type { Invite, InviteRole } from "../chat/invites.ts";
import type { ParsedQuery } from "../search/query.ts";
import type { StoredUploadMeta, Upload, UploadQuota } from "../uploads/types.ts";

/** The original's pin record. */
export interface PinRecord {
  channel_id: string;
  message_id: string;
  pinned_by: string;
  pinned_at: string;
}

export interface Membership {
  workspaceId: string;
  userId: string;
  role: Role;
  timeoutUntil: string | null;
  blockedAt: string | null;
}

export interface ChannelRecord {
  id: string;
  workspaceId: string;
  name: string;
  /** "public", "guest" (the only kind guests see), or an integration's own kind. */
  kind: string;
  archivedAt: string | null;
  /** A private channel's members (its only readers); null for a public channel. */
  memberIds: string[] | null;
}

export interface DmRecord {
  id: string;
  workspaceId: string;
  memberIds: string[];
}

/** Where a message lives: a channel or a direct conversation. */
export type Scope = { kind: "channel"; id: string; workspaceId: string } | { kind: "dm"; id: string; workspaceId: string };

export interface NewUser {
  kind: UserKind;
  displayName: string;
  handle?: string;
  email?: string | null;
  ownerUserId?: string | null;
  avatarUrl?: string | null;
  /** Derive the handle from this instead of the display name (e.g. a GitHub login). */
  handleBase?: string;
  /** Linked in the same write, so two first sign-ins cannot both create the person. */
  githubId?: string | null;
}

export interface PostMessageInput {
  scope: Scope;
  authorId: string;
  body: string;
  nonce?: string | null;
  parentMessageId?: string | null;
  quotedMessageId?: string | null;
  topicId?: string | null;
  kind?: MessageKind;
  turnId?: string | null;
  /** An upload of the author's to attach, in the same write (409 if it is attached elsewhere). */
  uploadId?: string | null;
  /**
   * A posting budget checked inside the write, so concurrent posts cannot overshoot it. Slash
   * command invocations in the window count against it too.
   */
  budget?: { max: number; windowMs: number };
  /** The incoming webhook that posted this (the message's badge). */
  webhook?: { id: string; name: string };
  /** A bot's ask-user card (checked by src/chat/questions.ts inside the write). */
  question?: QuestionInput | null;
}

export interface PostMessageResult {
  message: Message;
  /** Empty on a nonce replay: nothing was written. */
  events: ChatEvent[];
  replayed: boolean;
  threadState?: ThreadState;
}

export interface MemberQuery {
  limit: number;
  cursor?: string;
  q?: string;
  role?: Role;
}

export interface ReplayResult {
  /** `unknown_cursor`: the cursor is not in this workspace's retained log (pruned, future, foreign). */
  status: "ok" | "unknown_cursor";
  events: StoredEvent[];
  /** True when more events follow the returned page. */
  hasMore: boolean;
}

export interface UserStore {
  create(input: NewUser): Promise<User>;
  get(id: string): Promise<User | null>;
  byHandle(handle: string): Promise<User | null>;
  byEmail(email: string): Promise<User | null>;
  first(): Promise<User | null>;
  /** A profile change, all of it or nothing: the Pushover key (null clears it) is in the same commit. */
  update(id: string, patch: { displayName?: string; handle?: string; avatarUrl?: string | null; timeZone?: string | null; pushoverUserKey?: string | null }): Promise<User>;
}

export interface WorkspaceStore {
  /** Creates the workspace with its owner and the default #general and #guest channels. */
  create(input: {
    name: string;
    slug?: string;
    ownerId: string;
    iconUrl?: string | null;
    /** Refuse (403 workspace_limit) when the owner already owns this many live workspaces; checked inside the write. */
    maxOwned?: number;
  }): Promise<{ workspace: Workspace; channels: Channel[] }>;
  get(id: string, viewerId?: string): Promise<Workspace | null>;
  bySlug(slug: string): Promise<Workspace | null>;
  /** The oldest workspace: where sign-ins land when nothing else is configured. */
  first(): Promise<Workspace | null>;
  /** Every live workspace (operations: retention, export). */
  listAll(): Promise<Workspace[]>;
  listFor(userId: string): Promise<Workspace[]>;
  update(id: string, patch: { name?: string; slug?: string; iconUrl?: string | null }, actorId: string): Promise<{ workspace: Workspace; event: ChatEvent }>;
  /** Soft-deletes the workspace; a trigger queues its uploads' objects for removal in the same transaction. */
  remove(id: string): Promise<void>;
  /** What deleting the workspace takes with it. */
  deletePreview(id: string): Promise<WorkspaceDeletePreview>;
  /**
   * Hands the workspace to another member: the actor (the owner) becomes moderator, the target
   * owner; announced as workspace.ownership_transferred and a member.moderation_updated per person.
   */
  transferOwnership(workspaceId: string, toUserId: string, actorId: string): Promise<{ workspace: Workspace; event: ChatEvent; events: ChatEvent[] }>;
  membership(workspaceId: string, userId: string): Promise<Membership | null>;
  addMember(workspaceId: string, userId: string, role: Role): Promise<Membership>;
  members(workspaceId: string, query: MemberQuery): Promise<{ members: Member[]; next_cursor: string | null; has_more: boolean; total_count: number }>;
}

export interface ChannelStore {
  /** `private`: only its members read it; the creator is its first member. */
  create(input: { workspaceId: string; name: string; kind?: string; createdBy: string; private?: boolean } & ChannelPresentation): Promise<{ channel: Channel; event: ChatEvent }>;
  record(id: string): Promise<ChannelRecord | null>;
  get(id: string, viewerId: string): Promise<Channel | null>;
  /** The channels the viewer may see: private ones only when they are in them (guestOnly: #guest and those). */
  list(workspaceId: string, viewerId: string, opts: { guestOnly: boolean; includeArchived: boolean }): Promise<Channel[]>;
  /** `private` may be given only as it is (409 channel_privacy_fixed otherwise). */
  update(id: string, patch: { name?: string; archived?: boolean; private?: boolean } & ChannelPresentation, actorId: string): Promise<{ channel: Channel; event: ChatEvent }>;
  /** What deleting the channel takes with it (counts) and what stops it (blockers). */
  deletePreview(id: string): Promise<ChannelDeletePreview>;
  /** Soft-deletes the channel; its pins go, its uploads' objects are queued for removal. */
  remove(id: string, actorId: string): Promise<{ event: ChatEvent }>;
  /** The people in a private channel, by handle (none for a public channel). */
  members(id: string): Promise<User[]>;
  /** Puts a member of the workspace in a private channel (409 channel_not_private on a public one); a null event when they already were. */
  addMember(id: string, userId: string, actorId: string): Promise<{ event: ChatEvent | null }>;
  /** Takes someone out of a private channel; a null event when they were not in it. */
  removeMember(id: string, userId: string, actorId: string): Promise<{ event: ChatEvent | null }>;
}

export interface MessageStore {
  post(input: PostMessageInput): Promise<PostMessageResult>;
  get(id: string, viewerId: string): Promise<Message | null>;
  scopeOf(id: string): Promise<{ scope: Scope; authorId: string; parentMessageId: string | null; deleted: boolean } | null>;
  byNonce(workspaceId: string, authorId: string, nonce: string, viewerId: string): Promise<Message | null>;
  edit(id: string, body: string, actorId: string): Promise<{ message: Message; event: ChatEvent }>;
  remove(id: string, actorId: string): Promise<{ message: Message; event: ChatEvent }>;
  page(scope: Scope, window: PageWindow, viewerId: string, topicId?: string): Promise<MessagePage>;
  thread(rootId: string, window: PageWindow, viewerId: string): Promise<ThreadPage>;
  react(id: string, userId: string, emoji: string, on: boolean): Promise<{ event: ChatEvent | null; reactions: ReactionSummary[] }>;
  pin(channelId: string, messageId: string, actorId: string): Promise<{ pinned_message: Message; pin: PinRecord; event: ChatEvent }>;
  unpin(channelId: string, messageId: string, actorId: string): Promise<{ event: ChatEvent | null }>;
  pins(channelId: string, viewerId: string): Promise<Message[]>;
  /** The pin records (who pinned what, when) of a channel's live pinned messages, newest first, as pins() orders them. */
  pinRecords(channelId: string): Promise<PinRecord[]>;
  markRead(scope: Scope, userId: string, seq: number): Promise<{ receipt: ReadReceipt; event: ChatEvent | null }>;
  /**
   * A person answers a bot's question: the first valid answer wins (409 after it), atomically on
   * every store. Writes `question.submitted` (to the bot) and `message.updated`; a nonce replay
   * writes nothing and returns the same message with `events` empty.
   */
  answerQuestion(messageId: string, input: AnswerInput): Promise<{ message: Message; events: ChatEvent[]; replayed: boolean }>;
  /** The asking bot resolves its question (`message.updated`; resolving again is a no-op). */
  resolveQuestion(messageId: string, input: ResolutionInput): Promise<{ message: Message; event: ChatEvent | null }>;
  /** A bot's questions in one workspace, oldest first, after `cursor` (a message id). */
  botQuestions(botId: string, workspaceId: string, q: { status?: string; updatedAfter?: string; cursor?: string; limit: number }): Promise<{ questions: BotQuestion[]; next_cursor: string | null }>;
}

/** The question part of MessageStore, implemented beside the message part in each dialect. */
export type QuestionMethods = Pick<MessageStore, "answerQuestion" | "resolveQuestion" | "botQuestions">;

/** One entry of GET /api/bots/self/questions: the question and where its message is. */
export interface BotQuestion extends MessageQuestion {
  workspace_id: string;
  channel_id: string | null;
  direct_conversation_id: string | null;
}

export interface DmStore {
  /** Finds the conversation for this exact member set or creates it. */
  open(workspaceId: string, memberIds: string[], actorId: string): Promise<{ conversation: DirectConversation; created: boolean }>;
  record(id: string): Promise<DmRecord | null>;
  get(id: string, viewerId: string): Promise<DirectConversation | null>;
  /** Whether this member has an active peer to send to (the check of every DM post). */
  canSend(id: string, userId: string): Promise<boolean>;
  list(userId: string, workspaceId?: string): Promise<DirectConversation[]>;
  setHidden(id: string, userId: string, hidden: boolean): Promise<DirectConversation>;
}

export interface EventStore {
  /** Events after `afterCursor` (null = from the start of the retained log), oldest first. */
  replayAfter(workspaceId: string, afterCursor: string | null, limit: number): Promise<ReplayResult>;
  tail(workspaceId: string): Promise<string | null>;
  prune(workspaceId: string, opts: { olderThan: string; keepLatest: number }): Promise<number>;
  /** Hear every committed event, in cursor order, once per commit. */
  onCommit(listener: (events: StoredEvent[]) => void): () => void;
}

export interface Session {
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface BotToken {
  id: string;
  bot_user_id: string;
  workspace_id: string;
  name: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** The raw secret: present only in the response that minted it. */
  token?: string;
}

export interface IdentityStore {
  createSession(userId: string, ttlMs: number): Promise<{ session: Session; token: string }>;
  /** The live session for a raw token (not expired, not revoked), touching last_used_at. */
  sessionByToken(token: string): Promise<{ session: Session; user: User } | null>;
  revokeSession(id: string): Promise<Session | null>;
  /** Revokes every live session of a user (sign out everywhere); returns how many were live. */
  revokeUserSessions(userId: string): Promise<number>;
  /** A session by id, live or not, without touching it (open sockets are re-checked with it). */
  session(id: string): Promise<Session | null>;
  createMagicLink(input: { email: string; displayName?: string | null; ttlMs: number }): Promise<{ id: string; token: string; expires_at: string }>;
  /** Single use: the first consume wins; creates the user for a new email. Null when invalid, used or expired. */
  consumeMagicLink(token: string): Promise<{ user: User; created: boolean } | null>;
  saveOAuthState(input: { state: string; codeVerifier: string; returnTo: string | null; ttlMs: number }): Promise<void>;
  /** Single use: returns the state once, and only before it expires. */
  takeOAuthState(state: string): Promise<{ codeVerifier: string; returnTo: string | null } | null>;
  userByGithubId(githubId: string): Promise<User | null>;
  linkGithub(userId: string, githubId: string): Promise<void>;
  /**
   * Forgets the person's GitHub link, unless it is their last way in (409 last_sign_in_method):
   * The options say what this server signs people in with: email (sign-in links or OIDC), passwords.
   */
  unlinkGithub(userId: string, opts: { emailSignsIn: boolean; passwordSignsIn: boolean }): Promise<void>;
  /** What a person signs in with: their GitHub id, email and whether they have a password. */
  signInFacts(userId: string): Promise<{ githubId: string | null; email: string | null; password: boolean } | null>;
  /** The stored password hash (never the password); null when the person has none. */
  passwordHash(userId: string): Promise<string | null>;
  /** Sets or (null) clears the hash; the caller hashes. Unknown or deleted users: not_found. */
  setPasswordHash(userId: string, hash: string | null): Promise<void>;
}

/** A new bot, and (unless `firstToken` is null) its first token, in one write. */
export interface NewBot {
  workspaceId: string;
  displayName: string;
  handle?: string;
  ownerUserId?: string | null;
  avatarUrl?: string | null;
}

/** A retry with the same setup nonce (per person) reuses the row the first request made. */
export interface SetupNonce {
  nonce: string;
  createdBy: string;
}

/** A token with its raw secret, which exists only in the response that made it. */
export type MintedToken = BotToken & { token: string };

export interface SetupCodeClaim {
  token: MintedToken;
  bot: User;
  workspace: Workspace;
  defaults: SetupDefaults;
}

export interface BotStore {
  create(input: NewBot): Promise<User>;
  /**
   * Creates a bot and its first token (none when `firstToken` is null). With a setup nonce seen
   * before: the same request replays (the bot, and its token with a new secret: the old one
   * stops working, since only its hash was kept); another request is a 409.
   */
  setUp(input: NewBot & { firstToken: { name: string; scopes: string[] } | null; setupNonce?: SetupNonce | null }): Promise<{ bot: User; token: MintedToken | null; replayed: boolean }>;
  list(workspaceId: string): Promise<{ bot: User; tokens: BotToken[] }[]>;
  /** With a setup nonce seen before: replays as `setUp` does (a new secret for the same row). */
  mintToken(input: { botUserId: string; workspaceId: string; name: string; scopes: string[]; setupNonce?: SetupNonce | null }): Promise<MintedToken & { replayed?: boolean }>;
  tokens(botUserId: string, workspaceId?: string): Promise<BotToken[]>;
  token(id: string): Promise<BotToken | null>;
  revokeToken(id: string): Promise<BotToken>;
  /** The bot behind a live (unrevoked) raw token, touching last_used_at. */
  byToken(raw: string): Promise<{ token: BotToken; user: User } | null>;
  /**
   * Retires a bot everywhere: tokens revoked, pending setup codes dropped, slash commands and
   * app installations revoked, command menus and memberships removed; the handle is freed and
   * remembered in the tombstone.
   */
  remove(botUserId: string, actorId?: string | null): Promise<DeletedBot>;
  /** Removes a bot from one workspace: its tokens there revoked, its menu there dropped. */
  removeMembership(workspaceId: string, botUserId: string): Promise<void>;
  /** Mints a setup code, replacing a pending one for the same bot and token name. */
  createSetupCode(input: { workspaceId: string; botUserId: string; tokenName: string; scopes: string[]; defaults: SetupDefaults; createdBy: string }): Promise<BotSetupCode & { code: string }>;
  /** Spends a code (once, even when claimed concurrently) for a new token; null when wrong, used or expired. */
  claimSetupCode(code: string): Promise<SetupCodeClaim | null>;
  /** Replaces the bot's whole menu in the workspace, atomically; returns it sorted by command. */
  setCommands(workspaceId: string, botUserId: string, commands: Required<BotCommandInput>[]): Promise<BotCommand[]>;
  /** Every live member bot's commands in the workspace (unsorted, unfiltered: see workspaceMenu). */
  commands(workspaceId: string): Promise<WorkspaceBotCommand[]>;
}

export interface ModerationPatch {
  role?: Role;
  timeoutUntil?: string | null;
  blocked?: boolean;
  note?: string | null;
}

export interface ModerationEntry {
  workspace_id: string;
  user: User;
  role: Role;
  timeout_until: string | null;
  blocked_at: string | null;
  moderation_note: string | null;
  moderation_by: string | null;
  moderation_at: string | null;
  posts_remaining: number | null;
  post_limit: number | null;
}

export interface ModerationStore {
  list(workspaceId: string): Promise<ModerationEntry[]>;
  entry(workspaceId: string, userId: string): Promise<ModerationEntry | null>;
  update(workspaceId: string, userId: string, patch: ModerationPatch, actorId: string): Promise<{ member: ModerationEntry; event: ChatEvent }>;
  /** Messages a user posted and slash commands they ran in the workspace since an instant (the guest budget). */
  postsSince(workspaceId: string, userId: string, since: string): Promise<number>;
}

export interface UploadRecord {
  upload: Upload;
  status: "pending" | "ready";
  storageKey: string;
  fingerprint: string | null;
  /** The message it is attached to, if any. */
  messageId: string | null;
  /** Set once the message it was attached to was deleted. */
  detachedAt: string | null;
}

export interface UploadStore {
  /**
   * Reserves quota (per person, across live workspaces) before any byte is stored: a pending row that counts like a stored upload,
   * checked and written in one transaction so concurrent uploads cannot overshoot (413).
   */
  reserve(input: { workspaceId: string; ownerId: string; bytes: number; quota: UploadQuota }): Promise<{ id: string; storageKey: string }>;
  /**
   * Turns a reservation into an upload. When the nonce was used meanwhile: the same content
   * replays the earlier upload (the reservation is released), other content is a 409.
   */
  complete(id: string, meta: StoredUploadMeta): Promise<{ upload: Upload; replayed: boolean }>;
  /** Gives a reservation back and queues its object for deletion. */
  release(id: string, storageKey: string): Promise<void>;
  get(id: string): Promise<UploadRecord | null>;
  byNonce(workspaceId: string, ownerId: string, nonce: string): Promise<UploadRecord | null>;
  /** Attaches the author's upload to their message and writes message.updated (null event when it already was). */
  attach(messageId: string, uploadId: string, actorId: string): Promise<{ message: Message; event: ChatEvent | null }>;
  /** The durable queue of storage objects to delete. */
  queueCleanup(storageKey: string, reason: string): Promise<void>;
  cleanupBatch(limit: number): Promise<{ id: number; storageKey: string; attempts: number }[]>;
  cleanupDone(id: number): Promise<void>;
  cleanupFailed(id: number, error: string): Promise<void>;
  /** Pending reservations created before `before` (a process stopped mid-upload): released, objects queued. */
  sweepReservations(before: string): Promise<number>;
}

export type SearchSort = "relevance" | "recent";

/**
 * Where a page of search results continues. Relevance: an offset into the ranking of the
 * matches at or below `ceiling` (the newest docid when the first page was made, so messages
 * written meanwhile do not shift later pages). Newest first: below the last docid shown.
 */
export type SearchPosition = { sort: "relevance"; offset: number; ceiling: number } | { sort: "recent"; docid: number };

export interface SearchInput {
  workspaceId: string;
  viewerId: string;
  /** Guests read #guest only. */
  guestOnly: boolean;
  /** False for a bot without dms:read. */
  includeDms: boolean;
  channelId?: string;
  dmId?: string;
  query: ParsedQuery;
  sort: SearchSort;
  limit: number;
  after: SearchPosition | null;
}

export interface SearchStore {
  search(input: SearchInput): Promise<{ hits: { message: Message; score: number }[]; next: SearchPosition | null }>;
}

export interface RouteTargetRecord {
  type: "channel" | "direct" | "thread";
  id: string;
  routeId: string;
  workspaceId: string;
  /** For a thread: the channel or DM it lives in. */
  parent?: { type: "channel" | "direct"; id: string; routeId: string };
}

/** Shareable route ids; raw ids are accepted too, as the Go server does. */
export interface RouteStore {
  workspace(ref: string): Promise<{ id: string; routeId: string } | null>;
  target(ref: string): Promise<RouteTargetRecord | null>;
}

export interface Topic {
  id: string;
  workspace_id: string;
  channel_id: string | null;
  name: string;
  created_by: string;
  created_at: string;
}

export interface TopicStore {
  list(workspaceId: string): Promise<Topic[]>;
  create(input: { workspaceId: string; channelId?: string | null; name: string; createdBy: string }): Promise<Topic>;
}

/**
 * Preferences and followed threads. Mentions themselves are written by `messages.post` and read
 * by `messages.markRead` / `readThread`; their counts ride on channels and DMs (`mention_count`).
 */
export interface NotificationStore {
  /**
   * A person's choices per channel of a workspace, for their sidebar on every device: starred
   * channels and the channels with a preference of their own (not the default).
   */
  channelPreferences(userId: string, workspaceId: string): Promise<ChannelPreference[]>;
  /** Stars or unstars a channel for a person (idempotent). */
  setStar(userId: string, channel: { id: string; workspaceId: string }, starred: boolean): Promise<void>;
  /** The setting in force for a channel or DM (DEFAULT_SCOPE: the person's defaults). */
  setting(userId: string, scopeId: string): Promise<NotificationSetting>;
  /** Do-not-disturb hours are kept with the defaults only. */
  updateSetting(userId: string, scopeId: string, patch: Partial<NotificationSetting>): Promise<NotificationSetting>;
  follow(rootId: string, userId: string, following: boolean): Promise<FollowedThread>;
  /** Moves the thread's read pointer forward (never past its last reply) and reads its mentions. */
  readThread(rootId: string, userId: string, seq: number): Promise<{ thread: FollowedThread; event: ChatEvent | null }>;
  /** Threads the person follows in the workspace, most recent reply first. */
  threads(workspaceId: string, userId: string, limit: number): Promise<FollowedThread[]>;
  /** Sets (or, with null, clears) the person's Pushover user key. */
  /** Readers of the message's scope with a Pushover key or a push subscription, with their settings for it (author included: the rule filters). */
  pushCandidates(messageId: string): Promise<PushCandidate[]>;
  /** The server's VAPID key pair: the stored one, or the one `generate` makes, kept once (concurrent first calls agree). */
  vapidKeys(generate: () => { publicKey: string; privateKey: string }): Promise<{ publicKey: string; privateKey: string }>;
  /** Stores a device's subscription for the person (an endpoint moves to whoever subscribes it last). */
  addPushSubscription(userId: string, sub: WebPushSubscription): Promise<void>;
  /** Removes the person's subscription; false when they had none with that endpoint. */
  removePushSubscription(userId: string, endpoint: string): Promise<boolean>;
  /** Whether anyone at all has a Pushover key or a push subscription (the worker skips the log when nobody does). */
  anyPushAddress(): Promise<boolean>;
  /** Forgets an endpoint the push service says is gone (404/410). */
  dropPushEndpoint(endpoint: string): Promise<void>;
}

/** Background workers' read positions in each workspace's event log. */
/** Who is connected (see src/chat/presence.ts): rows per process, renewed by its heartbeat. */
export interface PresenceStore {
  /**
   * This process's open sockets per person (0 removes its row; `opened` means a socket was just
   * opened, which ends "away"). Returns the people whose team-wide status the write changed, with
   * their status after it: a second tab, or a socket closing while another stays, changes nothing
   * anyone should be told about.
   */
  report(processId: string, rows: { workspaceId: string; userId: string; sockets: number; opened: boolean }[], expiresAt: string): Promise<PresenceChange[]>;
  /** A connected person says they are away, or back. Returns their team-wide status after. */
  setAway(workspaceId: string, userId: string, away: boolean): Promise<PresenceChange>;
  /**
   * Renews this process's rows and drops the expired rows of every process (one killed, say):
   * returns the people that left offline.
   */
  sweep(processId: string, expiresAt: string): Promise<PresenceChange[]>;
  /** Everyone online or away in a workspace. */
  list(workspaceId: string): Promise<{ user_id: string; status: "online" | "away" }[]>;
  /** Whether the person has a socket open anywhere: any workspace, any process. */
  isConnected(userId: string): Promise<boolean>;
  /** Which of these people have a socket open anywhere (one query for a message's many recipients). */
  connectedAmong(userIds: string[]): Promise<Set<string>>;
}

export interface WorkerPositionStore {
  /**
   * Runs `work` from the worker's position in the workspace and stores the cursor it returns.
   * Only one process holds a position at a time: false (without running) when another holds it.
   */
  advance(worker: string, workspaceId: string, work: (afterCursor: string | null) => Promise<string | null>): Promise<boolean>;
}

export type SubscriptionStatus = "active" | "disabled" | "revoked";

export interface EventSubscription {
  id: string;
  workspace_id: string;
  callback_url: string;
  /** Exact durable event types, or ["*"]. */
  event_types: string[];
  app_installation_id: string | null;
  created_by: string;
  created_at: string;
  status: SubscriptionStatus;
  /** Why deliveries stopped (a disabled subscription says so). */
  disabled_reason: string | null;
  failure_count: number;
  failing_since: string | null;
  next_attempt_at: string;
  /** The last event cursor handled (delivered or not matching). */
  last_delivered_cursor: string | null;
  revoked_at: string | null;
  /** The raw signing secret: present only in the response that minted it. */
  signing_secret?: string;
}

export interface EventDelivery {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  event_cursor: string;
  attempt: number;
  outcome: "succeeded" | "failed" | "refused";
  response_status: number | null;
  error: string | null;
  duration_ms: number;
  redelivery: boolean;
  created_at: string;
}

/** A subscription the worker holds the lease of, with what it needs to sign. */
export interface ClaimedSubscription {
  subscription: EventSubscription;
  signingSecret: string;
}

/** What one delivery attempt (or a skip over non-matching events) changes. */
export interface SubscriptionProgress {
  /** The cursor handled so far (delivered or skipped); unchanged when absent. */
  cursor?: string;
  delivery?: Omit<EventDelivery, "id" | "subscription_id" | "created_at">;
  failureCount: number;
  failingSince: string | null;
  nextAttemptAt: string;
  disabledReason?: string;
}

export interface SlashCommand {
  id: string;
  workspace_id: string;
  /** Lowercase, with a leading slash. */
  command: string;
  description: string;
  callback_url: string;
  bot_user_id: string;
  app_installation_id: string | null;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
  /** The raw signing secret: present only in the response that minted or rotated it. */
  signing_secret?: string;
}

export interface SlashInvocation {
  commandId: string;
  workspaceId: string;
  channelId: string;
  userId: string;
  text: string;
  outcome: string;
  responseStatus: number | null;
  error: string | null;
}

export interface IncomingWebhook {
  id: string;
  workspace_id: string;
  channel_id: string;
  name: string;
  /** The webhook's own bot user: the author of what it posts. */
  bot_user_id: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

export interface AppRevokeOptions {
  revoke_slash_commands: boolean;
  revoke_event_subscriptions: boolean;
  revoke_bot_tokens: boolean;
  delete_bot: boolean;
}

export interface AppRevokeResult {
  installation: AppInstallation;
  revoked: { slash_commands: number; event_subscriptions: number; bot_tokens: number };
  /** Credentials whose sockets must be re-checked (revoked tokens). */
  revokedTokenIds: string[];
  deleted_bot?: DeletedBot;
}

export interface AppInstallation {
  id: string;
  workspace_id: string;
  app_slug: string;
  display_name: string;
  bot_user_id: string;
  config: Record<string, unknown>;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

export interface IntegrationStore {
  /** A replay of the same setup nonce returns the row it made (replayed: true). */
  installApp(input: { workspaceId: string; appSlug: string; displayName: string; botUserId: string; config: Record<string, unknown>; setupNonce?: string | null; createdBy: string }): Promise<{ installation: AppInstallation; replayed: boolean }>;
  apps(workspaceId: string): Promise<AppInstallation[]>;
  app(id: string): Promise<AppInstallation | null>;
  /**
   * Revokes an installation and, as the options ask, its slash commands, event subscriptions,
   * bot tokens and bot, in one transaction: all of it or nothing.
   */
  revokeApp(id: string, opts: AppRevokeOptions): Promise<AppRevokeResult>;
  /** 409 when an active registration already has this command name. */
  createSlashCommand(input: { workspaceId: string; command: string; description: string; callbackUrl: string; botUserId: string; appInstallationId?: string | null; createdBy: string }): Promise<SlashCommand & { signing_secret: string }>;
  slashCommands(workspaceId: string): Promise<SlashCommand[]>;
  slashCommand(id: string): Promise<SlashCommand | null>;
  /** The active registration of a command name, with its secret. */
  activeSlashCommand(workspaceId: string, command: string): Promise<{ command: SlashCommand; signingSecret: string } | null>;
  rotateSlashSecret(id: string): Promise<SlashCommand & { signing_secret: string }>;
  revokeSlashCommand(id: string): Promise<SlashCommand>;
  /**
   * Records an invocation. With a budget (a guest), the caller's posts and invocations inside its
   * window are counted in the same write, so concurrent invocations cannot overshoot it (429
   * guest_post_limit, as a post over budget).
   */
  recordInvocation(i: SlashInvocation, budget?: { max: number; windowMs: number }): Promise<string>;
  /** The outcome of an invocation recorded before its callback answered. */
  finishInvocation(id: string, outcome: Pick<SlashInvocation, "outcome" | "responseStatus" | "error">): Promise<void>;
  /** Invocations a user made in a workspace since an instant (counted in a guest's budget). */
  invocationsSince(workspaceId: string, userId: string, since: string): Promise<number>;

  /** A webhook and its own bot user, in one write; the raw secret is returned here only. */
  createIncomingWebhook(input: { workspaceId: string; channelId: string; name: string; createdBy: string }): Promise<{ webhook: IncomingWebhook; secret: string }>;
  /** Active webhooks of a workspace (of one channel when given), oldest first. */
  incomingWebhooks(workspaceId: string, channelId?: string): Promise<IncomingWebhook[]>;
  incomingWebhook(id: string): Promise<IncomingWebhook | null>;
  /** The active webhook this secret opens; null for an unknown or revoked id or a wrong secret. */
  incomingWebhookBySecret(id: string, secret: string): Promise<IncomingWebhook | null>;
  rotateIncomingWebhookSecret(id: string): Promise<{ webhook: IncomingWebhook; secret: string }>;
  /** Revoked for good: its URL answers 404 and its bot leaves the workspace (its posts stay). */
  revokeIncomingWebhook(id: string): Promise<IncomingWebhook>;
  /**
   * Deletes delivery-log lines and slash invocations older than `olderThan`, and delivery-log
   * lines beyond the newest `keepDeliveries` of each subscription. Invocations go by age only:
   * the recent ones are a guest's budget.
   */
  pruneLogs(opts: { olderThan: string; keepDeliveries: number }): Promise<{ deliveries: number; invocations: number }>;

  createSubscription(input: { workspaceId: string; callbackUrl: string; eventTypes: string[]; appInstallationId?: string | null; createdBy: string }): Promise<EventSubscription & { signing_secret: string }>;
  subscriptions(workspaceId: string): Promise<EventSubscription[]>;
  subscription(id: string): Promise<EventSubscription | null>;
  /** The secret deliveries are signed with (never sent to clients after creation). */
  signingSecret(id: string): Promise<string | null>;
  revokeSubscription(id: string): Promise<EventSubscription>;
  /** A new signing secret, in force from the next delivery (shown once). */
  rotateSubscriptionSecret(id: string): Promise<EventSubscription & { signing_secret: string }>;
  /** Back to active after being disabled: deliveries resume from where they stopped. */
  enableSubscription(id: string): Promise<EventSubscription>;
  /**
   * Leases up to `limit` active subscriptions that are due and not leased by a live worker, so
   * that one process at a time delivers a subscription (several servers may share a database).
   */
  claimDue(owner: string, leaseMs: number, limit: number): Promise<ClaimedSubscription[]>;
  /** Records progress while still holding the lease; false when the lease was lost (nothing written). */
  progress(id: string, owner: string, p: SubscriptionProgress): Promise<boolean>;
  release(id: string, owner: string): Promise<void>;
  /** A delivery-log line outside the worker (a manual redelivery). */
  logDelivery(id: string, d: Omit<EventDelivery, "id" | "subscription_id" | "created_at">): Promise<EventDelivery>;
  /** Newest first; `before` is a delivery id. */
  deliveries(id: string, opts: { limit: number; before?: string }): Promise<{ deliveries: EventDelivery[]; next_cursor: string | null }>;
  delivery(id: string): Promise<EventDelivery | null>;
  event(workspaceId: string, eventId: string): Promise<StoredEvent | null>;
}

/** Who redeems an invite: a signed-in person, or a new account made in the same write. */
export type InviteRedeemer = { userId: string } | { newUser: { displayName: string; email?: string | null } };

export interface InviteStore {
  /** The raw token is returned once; only its hash is kept. */
  create(input: { workspaceId: string; role: InviteRole; createdBy: string; expiresAt: string | null; maxUses: number | null; email?: string | null }): Promise<{ invite: Invite; token: string }>;
  /** Newest first. */
  list(workspaceId: string): Promise<Invite[]>;
  get(id: string): Promise<Invite | null>;
  /** Null for an unknown token; the invite whatever its status otherwise. */
  byToken(token: string): Promise<Invite | null>;
  /** Idempotent: a revoked invite stays revoked at its first revocation. */
  revoke(id: string): Promise<Invite>;
  /**
   * Joins the person through the invite in one write: 404 invite_not_found, 410 invite_expired /
   * invite_revoked / invite_used_up. A use is counted only when someone joins (or a guest becomes
   * a member), and never past max_uses, whatever runs at the same time on any process.
   * Someone already in the workspace is let through without spending a use.
   */
  redeem(token: string, who: InviteRedeemer): Promise<{ invite: Invite; user: User; role: Role; joined: boolean; created: boolean }>;
}

/** The mention digest's bookkeeping (src/integrations/digest-worker.ts). */
export interface DigestStore {
  /** Notes that these people have mentions waiting (keeps the earliest instant). */
  markPending(userIds: string[], at: string): Promise<void>;
  /**
   * Claims people whose digest is due (pending, enabled, with an email, last sent before
   * `sentBefore`): their pending mark is cleared and last_sent_at set to `at` in one write, so
   * two processes never mail the same person twice in an interval.
   */
  claimDue(sentBefore: string, at: string, limit: number): Promise<{ userId: string; email: string; previousSentAt: string | null }[]>;
  /** Who each message mentions (rows written by messages.post: direct, @channel by preference, thread followers); messages without mentions are absent. */
  mentionedBy(messageIds: string[]): Promise<Map<string, string[]>>;
  /** Unread mentions of the person created after `after` (all when null), oldest first. */
  unreadMentions(userId: string, after: string | null, limit: number): Promise<{ messageId: string; reason: "direct" | "broadcast" | "thread"; createdAt: string }[]>;
  enabled(userId: string): Promise<boolean>;
  setEnabled(userId: string, enabled: boolean): Promise<void>;
  /** A secret the server generates once and keeps (concurrent first calls agree); without `generate`, null until then. */
  serverSecret(name: string, generate: () => string): Promise<string>;
  serverSecret(name: string, generate: null): Promise<string | null>;
}

export interface AuditQuery {
  limit: number;
  /** An entry id: entries older than it (the previous page's next_cursor). */
  before?: string;
  action?: string;
  actorId?: string;
}

/**
 * The audit log. Actions append to it inside their own transaction (`appendAudit` of each
 * dialect, or `audited()` around a store call: src/chat/audit.ts).
 */
export interface AuditStore {
  /** Newest first. */
  list(workspaceId: string, q: AuditQuery): Promise<{ entries: AuditLogEntry[]; next_cursor: string | null }>;
  /** Entries on their own, for an action that writes nothing else. */
  record(entries: NewAuditEntry | NewAuditEntry[]): Promise<AuditLogEntry[]>;
}

export interface NewConnectedAccount {
  workspaceId: string;
  userId: string;
  provider: string;
  providerAccountId: string;
  displayName: string;
  scopes: string[];
  metadata: Record<string, unknown>;
  createdBy: string;
}

export interface ConnectedAccountStore {
  /** 409 account_already_connected while an active record has this (workspace, provider, account); the user must be a member. */
  connect(input: NewConnectedAccount): Promise<ConnectedAccount>;
  /** Active and revoked, newest first; only this person's when userId is given. */
  list(workspaceId: string, userId?: string): Promise<ConnectedAccount[]>;
  get(id: string): Promise<ConnectedAccount | null>;
  /** Revoking twice answers the record as it is. */
  revoke(id: string): Promise<ConnectedAccount>;
}

export interface Store {
  readonly dialect: "sqlite" | "postgres";
  audit: AuditStore;
  connectedAccounts: ConnectedAccountStore;
  integrations: IntegrationStore;
  routes: RouteStore;
  topics: TopicStore;
  identity: IdentityStore;
  bots: BotStore;
  moderation: ModerationStore;
  users: UserStore;
  workspaces: WorkspaceStore;
  channels: ChannelStore;
  messages: MessageStore;
  dms: DmStore;
  events: EventStore;
  uploads: UploadStore;
  search: SearchStore;
  notifications: NotificationStore;
  workerPositions: WorkerPositionStore;
  presence: PresenceStore;
  invites: InviteStore;
  digests: DigestStore;
  ping(): Promise<void>;
  /**
   * A number that changes when another process (the admin CLI, another server) may have committed
   * to the database since the last call; the same number means nothing changed outside this one.
   * The realtime hub re-checks open sockets when it changes. A store that cannot tell returns a
   * new number on every call.
   */
  foreignWrites(): Promise<number>;
  close(): Promise<void>;
}

// Behaviour both stores share, stated once.

/** last_used_at is advisory: writing it on every request would put a write on every read. */
export const TOUCH_INTERVAL_MS = 60_000;

/**
 * How many of the newest matches relevance ranks. bm25 has to score every match before it can
 * say which is best: over the 125,000 matches of a common word in a million messages that takes
 * half a second. So the newest RELEVANCE_WINDOW readable matches are ranked (all of them, for
 * all but the commonest words), and older matches follow, newest first.
 */
export const RELEVANCE_WINDOW = 5000;
