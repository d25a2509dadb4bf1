// The Store contract: every read and write the handlers need, dialect-neutral and async. SQLite
// (src/store/sqlite) implements it today; a Postgres implementation slots in beside it. Writes
// return the domain objects and the durable events committed in the same transaction.
import type { AuditLogEntry, NewAuditEntry } from "../chat/audit.ts";
import type { ChannelDeletePreview, WorkspaceDeletePreview } from "../chat/administration.ts";
import type { ChannelPresentation } from "../chat/channels.ts";
import type { ConnectedAccount } from "../chat/connected-accounts.ts";
import type {
  Channel, ChatEvent, DirectConversation, Member, Message, MessageKind, MessagePage, PageWindow,
  ReactionSummary, ReadReceipt, Role, StoredEvent, ThreadPage, ThreadState, User, UserKind, Workspace,
} from "../chat/types.ts";
import type { FollowedThread, NotificationSetting } from "../chat/notifications.ts";
import type { PushCandidate, WebPushSubscription } from "../chat/push.ts";
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
  /** A posting budget checked inside the write, so concurrent posts cannot overshoot it. */
  budget?: { max: number; windowMs: number };
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
  update(id: string, patch: { displayName?: string; handle?: string; avatarUrl?: string | null }): Promise<User>;
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
  create(input: { workspaceId: string; name: string; kind?: string; createdBy: string } & ChannelPresentation): Promise<{ channel: Channel; event: ChatEvent }>;
  record(id: string): Promise<ChannelRecord | null>;
  get(id: string, viewerId: string): Promise<Channel | null>;
  list(workspaceId: string, viewerId: string, opts: { guestOnly: boolean; includeArchived: boolean }): Promise<Channel[]>;
  update(id: string, patch: { name?: string; archived?: boolean } & ChannelPresentation, actorId: string): Promise<{ channel: Channel; event: ChatEvent }>;
  /** What deleting the channel takes with it (counts) and what stops it (blockers). */
  deletePreview(id: string): Promise<ChannelDeletePreview>;
  /** Soft-deletes the channel; its pins go, its uploads' objects are queued for removal. */
  remove(id: string, actorId: string): Promise<{ event: ChatEvent }>;
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

export interface BotStore {
  create(input: { workspaceId: string; displayName: string; handle?: string; ownerUserId?: string | null; avatarUrl?: string | null }): Promise<User>;
  list(workspaceId: string): Promise<{ bot: User; tokens: BotToken[] }[]>;
  mintToken(input: { botUserId: string; workspaceId: string; name: string; scopes: string[] }): Promise<BotToken & { token: string }>;
  tokens(botUserId: string, workspaceId?: string): Promise<BotToken[]>;
  token(id: string): Promise<BotToken | null>;
  revokeToken(id: string): Promise<BotToken>;
  /** The bot behind a live (unrevoked) raw token, touching last_used_at. */
  byToken(raw: string): Promise<{ token: BotToken; user: User } | null>;
  /** Deletes a bot: tokens revoked, memberships removed, the user tombstoned. */
  remove(botUserId: string): Promise<User>;
  removeMembership(workspaceId: string, botUserId: string): Promise<void>;
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
  /** Messages a user posted in the workspace since an instant (the guest budget). */
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
  setPushoverKey(userId: string, userKey: string | null): Promise<void>;
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
  revokeApp(id: string): Promise<AppInstallation>;
  /** 409 when an active registration already has this command name. */
  createSlashCommand(input: { workspaceId: string; command: string; description: string; callbackUrl: string; botUserId: string; appInstallationId?: string | null; createdBy: string }): Promise<SlashCommand & { signing_secret: string }>;
  slashCommands(workspaceId: string): Promise<SlashCommand[]>;
  slashCommand(id: string): Promise<SlashCommand | null>;
  /** The active registration of a command name, with its secret. */
  activeSlashCommand(workspaceId: string, command: string): Promise<{ command: SlashCommand; signingSecret: string } | null>;
  rotateSlashSecret(id: string): Promise<SlashCommand & { signing_secret: string }>;
  revokeSlashCommand(id: string): Promise<SlashCommand>;
  recordInvocation(i: SlashInvocation): Promise<string>;
  /** Invocations a user made in a workspace since an instant (counted in a guest's budget). */
  invocationsSince(workspaceId: string, userId: string, since: string): Promise<number>;

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
