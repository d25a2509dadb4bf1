// The Postgres schema, as drizzle sees it: the same tables and columns as the SQLite schema
// (src/store/sqlite/schema.ts), so an export from one store imports into the other unchanged.
// Migrations in drizzle/postgres are generated from this file (`bun run db:generate`); the
// search index (tsvector, pg_trgm, triggers) lives in a custom migration.
//
// Text is compared byte by byte (COLLATE "C"), like SQLite's BINARY: ids, cursors and RFC 3339
// instants are ordered and compared as strings, and that must not depend on the locale the
// database was created with.
import { sql } from "drizzle-orm";
import { boolean, customType, index, integer, pgTable, primaryKey, uniqueIndex } from "drizzle-orm/pg-core";

const textC = customType<{ data: string; driverData: string }>({ dataType: () => 'text COLLATE "C"' });
const text = <T extends string = string>(name: string) => textC(name).$type<T>();

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    kind: text<"human" | "bot">("kind").notNull(),
    ownerUserId: text("owner_user_id"),
    displayName: text("display_name").notNull(),
    handle: text("handle").notNull(),
    email: text("email"),
    avatarUrl: text("avatar_url"),
    githubId: text("github_id"),
    /** Argon2id (Bun.password); null = no password, the usual case. Only with --password-auth. */
    passwordHash: text("password_hash"),
    /** IANA time zone the person chose (or their browser reported), for "local time" on profiles. */
    timeZone: text("time_zone"),
    createdAt: text("created_at").notNull(),
    deletedAt: text("deleted_at"),
    // Bumped by a trigger on every change: pages reuse an author's rendering while it stands
    // (src/store/message-cache.ts).
    version: integer("version").notNull().default(0),
  },
  (t) => [
    uniqueIndex("users_handle").on(t.handle),
    uniqueIndex("users_email").on(t.email),
    uniqueIndex("users_github").on(t.githubId),
  ],
);

/**
 * One row whose epoch moves whenever anyone's row changes (a trigger on `users.version`): a
 * thread page reuses its window of replies, authors' versions included, while the epoch and
 * the root's version stand (src/store/thread-windows.ts).
 */
export const usersEpoch = pgTable("users_epoch", {
  id: integer("id").primaryKey(),
  epoch: integer("epoch").notNull().default(0),
});

export const workspaces = pgTable(
  "workspaces",
  {
    id: text("id").primaryKey(),
    routeId: text("route_id").notNull(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    iconUrl: text("icon_url"),
    createdAt: text("created_at").notNull(),
    deletedAt: text("deleted_at"),
    // The last event cursor handed out. Every transaction that appends an event updates this row
    // first and holds its lock until COMMIT, so the next cursor of the workspace is taken only
    // after this one is visible: cursors increase in commit order (docs/architecture.md).
    lastCursor: text("last_cursor"),
  },
  (t) => [uniqueIndex("workspaces_slug").on(t.slug), uniqueIndex("workspaces_route").on(t.routeId)],
);

export const members = pgTable(
  "members",
  {
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    userId: text("user_id").notNull().references(() => users.id),
    role: text<"owner" | "moderator" | "member" | "guest" | "bot">("role").notNull(),
    joinedAt: text("joined_at").notNull(),
    timeoutUntil: text("timeout_until"),
    blockedAt: text("blocked_at"),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index("members_user").on(t.userId)],
);

export const channels = pgTable(
  "channels",
  {
    id: text("id").primaryKey(),
    routeId: text("route_id").notNull(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    name: text("name").notNull(),
    displayTitle: text("display_title"),
    kind: text("kind").notNull(),
    /** Readable only by the people in channel_members (see src/chat/private-channels.ts). */
    isPrivate: boolean("is_private").notNull().default(false),
    externalManaged: boolean("external_managed").notNull().default(false),
    externalRef: text("external_ref"),
    externalUrl: text("external_url"),
    sidebarSection: text("sidebar_section"),
    createdBy: text("created_by"),
    createdAt: text("created_at").notNull(),
    archivedAt: text("archived_at"),
    deletedAt: text("deleted_at"),
    lastSeq: integer("last_seq").notNull().default(0),
  },
  (t) => [
    uniqueIndex("channels_name").on(t.workspaceId, t.name).where(sql`deleted_at IS NULL`),
    uniqueIndex("channels_route").on(t.routeId),
  ],
);

/** Who is in a private channel (public channels have no rows: every workspace member reads them). */
export const channelMembers = pgTable(
  "channel_members",
  {
    channelId: text("channel_id").notNull().references(() => channels.id),
    userId: text("user_id").notNull().references(() => users.id),
    addedBy: text("added_by"),
    addedAt: text("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] }), index("channel_members_user").on(t.userId)],
);

export const directConversations = pgTable(
  "direct_conversations",
  {
    id: text("id").primaryKey(),
    routeId: text("route_id").notNull(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    // Sorted member ids joined by ",": the same member set finds the same conversation.
    memberKey: text("member_key").notNull(),
    createdAt: text("created_at").notNull(),
    lastSeq: integer("last_seq").notNull().default(0),
  },
  (t) => [uniqueIndex("dms_members").on(t.workspaceId, t.memberKey), uniqueIndex("dms_route").on(t.routeId)],
);

export const dmMembers = pgTable(
  "dm_members",
  {
    dmId: text("dm_id").notNull().references(() => directConversations.id),
    userId: text("user_id").notNull().references(() => users.id),
    hiddenAt: text("hidden_at"),
  },
  (t) => [primaryKey({ columns: [t.dmId, t.userId] }), index("dm_members_user").on(t.userId)],
);

export const topics = pgTable("topics", {
  id: text("id").primaryKey(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
  channelId: text("channel_id"),
  name: text("name").notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: text("created_at").notNull(),
});

export const messages = pgTable(
  "messages",
  {
    id: text("id").primaryKey(),
    routeId: text("route_id").notNull(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    channelId: text("channel_id").references(() => channels.id),
    dmId: text("dm_id").references(() => directConversations.id),
    authorId: text("author_id").notNull().references(() => users.id),
    parentMessageId: text("parent_message_id"),
    threadRootId: text("thread_root_id").notNull(),
    topicId: text("topic_id"),
    channelSeq: integer("channel_seq"),
    threadSeq: integer("thread_seq"),
    body: text("body").notNull(),
    kind: text<"message" | "agent_commentary" | "agent_tool" | "system">("kind").notNull(),
    turnId: text("turn_id"),
    nonce: text("nonce"),
    nonceFingerprint: text("nonce_fingerprint"),
    quotedMessageId: text("quoted_message_id"),
    quotedBodySnapshot: text("quoted_body_snapshot"),
    quotedAuthorId: text("quoted_author_id"),
    // Set when an incoming webhook posted the message: JSON {id, name}, the badge the app shows.
    webhook: text("webhook"),
    createdAt: text("created_at").notNull(),
    editedAt: text("edited_at"),
    deletedAt: text("deleted_at"),
    replyCount: integer("reply_count").notNull().default(0),
    lastReplyAt: text("last_reply_at"),
    lastReplyAuthorIds: text("last_reply_author_ids"),
    threadLastSeq: integer("thread_last_seq").notNull().default(0),
    // A bot's ask-user card and its state, as JSON (src/chat/questions.ts): read and written
    // whole with its message, so no join on the read path.
    question: text("question"),
    // Bumped by triggers whenever the row, its reactions or its attachments change: a rendered
    // message is reused while its version stands (src/store/message-cache.ts).
    version: integer("version").notNull().default(0),
  },
  (t) => [
    uniqueIndex("messages_channel_seq").on(t.channelId, t.channelSeq),
    uniqueIndex("messages_dm_seq").on(t.dmId, t.channelSeq),
    uniqueIndex("messages_thread_seq").on(t.threadRootId, t.threadSeq),
    // Only posts that carry a nonce are indexed: the key is the author's, so every post of a
    // batch of 50 from 50 people wrote a page of its own here, nonce or not.
    uniqueIndex("messages_nonce").on(t.authorId, t.nonce).where(sql`nonce IS NOT NULL`),
    uniqueIndex("messages_route").on(t.routeId),
    // SQLite finds these through its automatic indexes; Postgres needs them said.
    index("messages_workspace_author").on(t.workspaceId, t.authorId, t.createdAt),
    // Deleting a message clears the snapshots quoting it.
    index("messages_quoted").on(t.quotedMessageId).where(sql`quoted_message_id IS NOT NULL`),
    // A bot's questions, for GET /api/bots/self/questions.
    index("messages_questions").on(t.authorId, t.id).where(sql`question IS NOT NULL`),
  ],
);

export const reactions = pgTable(
  "reactions",
  {
    messageId: text("message_id").notNull().references(() => messages.id),
    userId: text("user_id").notNull().references(() => users.id),
    emoji: text("emoji").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.emoji, t.userId] })],
);

export const pins = pgTable(
  "pins",
  {
    channelId: text("channel_id").notNull().references(() => channels.id),
    messageId: text("message_id").notNull().references(() => messages.id),
    pinnedBy: text("pinned_by").notNull(),
    pinnedAt: text("pinned_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.messageId] })],
);

export const readStates = pgTable(
  "read_states",
  {
    scopeId: text("scope_id").notNull(),
    userId: text("user_id").notNull(),
    lastReadSeq: integer("last_read_seq").notNull(),
    lastReadAt: text("last_read_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scopeId, t.userId] })],
);

export const events = pgTable(
  "events",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    cursor: text("cursor").notNull(),
    type: text("type").notNull(),
    channelId: text("channel_id"),
    dmId: text("dm_id"),
    seq: integer("seq"),
    payload: text("payload").notNull(),
    recipients: text("recipients"),
    mentionedUserIds: text("mentioned_user_ids"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("events_cursor").on(t.workspaceId, t.cursor)],
);

export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id),
    tokenHash: text("token_hash").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("sessions_token").on(t.tokenHash), index("sessions_user").on(t.userId)],
);

export const magicLinks = pgTable(
  "magic_links",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    displayName: text("display_name"),
    tokenHash: text("token_hash").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    consumedAt: text("consumed_at"),
  },
  (t) => [uniqueIndex("magic_links_token").on(t.tokenHash)],
);

export const botTokens = pgTable(
  "bot_tokens",
  {
    id: text("id").primaryKey(),
    botUserId: text("bot_user_id").notNull().references(() => users.id),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    name: text("name").notNull(),
    scopes: text("scopes").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: text("created_at").notNull(),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("bot_tokens_token").on(t.tokenHash), index("bot_tokens_bot").on(t.botUserId)],
);

// A pending grant of one bot token: a manager mints the code, the bot's installer claims it once
// (unauthenticated, so only the hash is kept). Minting again for the same bot and token name
// replaces the pending code.
export const botSetupCodes = pgTable(
  "bot_setup_codes",
  {
    id: text("id").primaryKey(),
    codeHash: text("code_hash").notNull(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    botUserId: text("bot_user_id").notNull().references(() => users.id),
    tokenName: text("token_name").notNull(),
    scopes: text("scopes").notNull(),
    defaults: text("defaults").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    claimedAt: text("claimed_at"),
    claimedTokenId: text("claimed_token_id"),
  },
  (t) => [uniqueIndex("bot_setup_codes_hash").on(t.codeHash), index("bot_setup_codes_bot").on(t.workspaceId, t.botUserId, t.tokenName)],
);

// Setup nonces: a retried "create a bot" or "mint a token" with the same nonce (per person)
// reuses the row it made instead of making another. The fingerprint is the request it answered.
export const setupNonces = pgTable(
  "setup_nonces",
  {
    createdBy: text("created_by").notNull(),
    nonce: text("nonce").notNull(),
    fingerprint: text("fingerprint").notNull(),
    botUserId: text("bot_user_id").notNull(),
    tokenId: text("token_id"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.createdBy, t.nonce] })],
);

// A bot's command menu in a workspace (PUT /api/bots/self/commands replaces it whole).
export const botCommands = pgTable(
  "bot_commands",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    botUserId: text("bot_user_id").notNull().references(() => users.id),
    command: text("command").notNull(),
    description: text("description").notNull(),
    argsHint: text("args_hint").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("bot_commands_bot").on(t.workspaceId, t.botUserId, t.command)],
);

// A retired bot: its user row stays (messages keep their author) under a handle nobody can
// choose, and the handle it had is remembered here and free for anyone to take.
export const botTombstones = pgTable("bot_tombstones", {
  botUserId: text("bot_user_id").primaryKey().references(() => users.id),
  formerHandle: text("former_handle").notNull(),
  deletedAt: text("deleted_at").notNull(),
  deletedBy: text("deleted_by"),
});

export const oauthStates = pgTable("oauth_states", {
  stateHash: text("state_hash").primaryKey(),
  codeVerifier: text("code_verifier").notNull(),
  returnTo: text("return_to"),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
});

export const moderationNotes = pgTable(
  "moderation_notes",
  {
    workspaceId: text("workspace_id").notNull(),
    userId: text("user_id").notNull(),
    note: text("note"),
    updatedBy: text("updated_by").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

export const uploads = pgTable(
  "uploads",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    ownerId: text("owner_id").notNull().references(() => users.id),
    status: text<"pending" | "ready">("status").notNull(),
    nonce: text("nonce"),
    fingerprint: text("fingerprint"),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    width: integer("width"),
    height: integer("height"),
    durationMs: integer("duration_ms"),
    storageKey: text("storage_key").notNull(),
    createdAt: text("created_at").notNull(),
    messageId: text("message_id"),
    attachedAt: text("attached_at"),
    detachedAt: text("detached_at"),
  },
  (t) => [
    uniqueIndex("uploads_nonce").on(t.workspaceId, t.ownerId, t.nonce),
    index("uploads_message").on(t.messageId),
    // The quota is per person across workspaces.
    index("uploads_owner").on(t.ownerId),
  ],
);

export const uploadCleanup = pgTable("upload_cleanup", {
  // By default, not always: an import restores the ids it was given.
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  storageKey: text("storage_key").notNull(),
  reason: text("reason").notNull(),
  enqueuedAt: text("enqueued_at").notNull(),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
});

// Reaching people: the same tables as src/store/sqlite/schema.ts (see there).
export const mentions = pgTable(
  "mentions",
  {
    userId: text("user_id").notNull(),
    messageId: text("message_id").notNull(),
    workspaceId: text("workspace_id").notNull(),
    scopeId: text("scope_id").notNull(),
    threadRootId: text("thread_root_id"),
    seq: integer("seq").notNull(),
    reason: text<"direct" | "broadcast" | "thread">("reason").notNull(),
    createdAt: text("created_at").notNull(),
    readAt: text("read_at"),
  },
  // Keyed by message first: a post's mention rows land on the table's last page (message ids
  // grow), and the push and digest workers read a page of the log's mentions by message. Only
  // the unread index is keyed by person (bench/mentions.ts: +15% posts with a mention each).
  (t) => [primaryKey({ columns: [t.messageId, t.userId] }), index("mentions_unread").on(t.userId, t.scopeId, t.readAt)],
);

export const threadFollows = pgTable(
  "thread_follows",
  {
    userId: text("user_id").notNull(),
    rootMessageId: text("root_message_id").notNull(),
    workspaceId: text("workspace_id").notNull(),
    scopeId: text("scope_id").notNull(),
    following: boolean("following").notNull(),
    reason: text<"started" | "replied" | "mentioned" | "chose">("reason").notNull(),
    lastReadSeq: integer("last_read_seq").notNull().default(0),
    updatedAt: text("updated_at").notNull(),
  },
  // The key's person prefix serves the Threads view (a person's follows); a second index per
  // person cost every mention another scattered page to write.
  (t) => [primaryKey({ columns: [t.userId, t.rootMessageId] }), index("thread_follows_root").on(t.rootMessageId)],
);

export const notificationSettings = pgTable(
  "notification_settings",
  {
    userId: text("user_id").notNull(),
    scopeId: text("scope_id").notNull(),
    preference: text<"all" | "mentions" | "muted">("preference").notNull(),
    dndStartMinute: integer("dnd_start_minute"),
    dndEndMinute: integer("dnd_end_minute"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.scopeId] })],
);

// Outgoing webhooks: as in the SQLite schema.
export const eventSubscriptions = pgTable(
  "event_subscriptions",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    callbackUrl: text("callback_url").notNull(),
    eventTypes: text("event_types").notNull(),
    appInstallationId: text("app_installation_id"),
    signingSecret: text("signing_secret").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    status: text<"active" | "disabled" | "revoked">("status").notNull(),
    disabledReason: text("disabled_reason"),
    cursor: text("cursor"),
    failureCount: integer("failure_count").notNull().default(0),
    failingSince: text("failing_since"),
    nextAttemptAt: text("next_attempt_at").notNull(),
    leaseOwner: text("lease_owner"),
    leaseUntil: text("lease_until"),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("event_subscriptions_workspace").on(t.workspaceId), index("event_subscriptions_due").on(t.status, t.nextAttemptAt)],
);

export const eventDeliveries = pgTable(
  "event_deliveries",
  {
    id: text("id").primaryKey(),
    subscriptionId: text("subscription_id").notNull().references(() => eventSubscriptions.id),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    eventCursor: text("event_cursor").notNull(),
    attempt: integer("attempt").notNull(),
    outcome: text<"succeeded" | "failed" | "refused">("outcome").notNull(),
    responseStatus: integer("response_status"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    redelivery: integer("redelivery").notNull().default(0),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("event_deliveries_subscription").on(t.subscriptionId, t.id)],
);

// Slash commands: the signing secret is kept as given, since every invocation is signed with it.
// At most one active registration per command name and workspace (checked in the write).
export const slashCommands = pgTable(
  "slash_commands",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    command: text("command").notNull(),
    description: text("description").notNull(),
    callbackUrl: text("callback_url").notNull(),
    botUserId: text("bot_user_id").notNull().references(() => users.id),
    appInstallationId: text("app_installation_id"),
    signingSecret: text("signing_secret").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("slash_commands_workspace").on(t.workspaceId, t.command)],
);

export const slashInvocations = pgTable(
  "slash_invocations",
  {
    id: text("id").primaryKey(),
    commandId: text("command_id").notNull().references(() => slashCommands.id),
    workspaceId: text("workspace_id").notNull(),
    channelId: text("channel_id").notNull(),
    userId: text("user_id").notNull(),
    text: text("text").notNull(),
    outcome: text("outcome").notNull(),
    responseStatus: integer("response_status"),
    error: text("error"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("slash_invocations_user").on(t.workspaceId, t.userId, t.createdAt)],
);

// Incoming webhooks: a secret URL that posts to one channel as the webhook's own bot user. Only
// the secret's SHA-256 is kept; the URL is shown at creation and on rotation.
export const incomingWebhooks = pgTable(
  "incoming_webhooks",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    channelId: text("channel_id").notNull().references(() => channels.id),
    name: text("name").notNull(),
    botUserId: text("bot_user_id").notNull().references(() => users.id),
    secretHash: text("secret_hash").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("incoming_webhooks_workspace").on(t.workspaceId, t.channelId)],
);

// App installations: an app's bot in a workspace, with its config. A setup nonce makes an install
// safe to retry (the same nonce returns the same row).
export const appInstallations = pgTable(
  "app_installations",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    appSlug: text("app_slug").notNull(),
    displayName: text("display_name").notNull(),
    botUserId: text("bot_user_id").notNull().references(() => users.id),
    config: text("config").notNull(),
    setupNonce: text("setup_nonce"),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("app_installations_nonce").on(t.workspaceId, t.setupNonce)],
);

export const pushoverKeys = pgTable("pushover_keys", {
  userId: text("user_id").primaryKey(),
  userKey: text("user_key").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const workerPositions = pgTable(
  "worker_positions",
  {
    worker: text("worker").notNull(),
    workspaceId: text("workspace_id").notNull(),
    cursor: text("cursor"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.worker, t.workspaceId] })],
);

export const vapidKeys = pgTable("vapid_keys", {
  id: text("id").primaryKey(),
  publicKey: text("public_key").notNull(),
  privateKey: text("private_key").notNull(),
  createdAt: text("created_at").notNull(),
});

export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    endpoint: text("endpoint").primaryKey(),
    userId: text("user_id").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("push_subscriptions_user").on(t.userId)],
);

// Who is connected, per process: a row per (process, workspace, person) with that process's open
// sockets, kept alive by the process's heartbeat. A process killed with -9 stops renewing and its
// rows expire, so presence never sticks at "online". A person is online while any live row exists.
export const presenceSockets = pgTable(
  "presence_sockets",
  {
    processId: text("process_id").notNull(),
    workspaceId: text("workspace_id").notNull(),
    userId: text("user_id").notNull(),
    sockets: integer("sockets").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.processId, t.workspaceId, t.userId] }), index("presence_sockets_person").on(t.workspaceId, t.userId), index("presence_sockets_expiry").on(t.expiresAt)],
);

// People who said they are away (idle or the app in the background) while connected; cleared
// when they come back, open a new socket or go offline.
export const presenceAway = pgTable(
  "presence_away",
  {
    workspaceId: text("workspace_id").notNull(),
    userId: text("user_id").notNull(),
    since: text("since").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

// Channels a person starred (first in their sidebar, on every device).
export const channelStars = pgTable(
  "channel_stars",
  {
    userId: text("user_id").notNull(),
    channelId: text("channel_id").notNull(),
    workspaceId: text("workspace_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] }), index("channel_stars_person").on(t.userId, t.workspaceId)],
);
export const invites = pgTable(
  "invites",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    role: text<"member" | "guest">("role").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at"),
    maxUses: integer("max_uses"),
    uses: integer("uses").notNull().default(0),
    revokedAt: text("revoked_at"),
    email: text("email"),
  },
  (t) => [uniqueIndex("invites_token").on(t.tokenHash), index("invites_workspace").on(t.workspaceId, t.createdAt)],
);

export const digestStates = pgTable("digest_states", {
  userId: text("user_id").primaryKey(),
  enabled: boolean("enabled").notNull().default(true),
  pendingSince: text("pending_since"),
  lastSentAt: text("last_sent_at"),
});

export const serverSecrets = pgTable("server_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: text("created_at").notNull(),
});
// Who did what to a workspace's administration, written in the transaction of the action
// (src/chat/audit.ts). Ids are ULIDs: newest first is id order.
export const auditLog = pgTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    actorUserId: text("actor_user_id").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    metadata: text("metadata").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("audit_log_workspace").on(t.workspaceId, t.id)],
);

// Accounts people hold elsewhere (a GitHub login, an issue tracker), recorded per workspace for
// integrations to act as them. One active record per (workspace, provider, account).
export const connectedAccounts = pgTable(
  "connected_accounts",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    userId: text("user_id").notNull().references(() => users.id),
    provider: text("provider").notNull(),
    providerAccountId: text("provider_account_id").notNull(),
    displayName: text("display_name").notNull(),
    scopes: text("scopes").notNull(),
    metadata: text("metadata").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [
    uniqueIndex("connected_accounts_active").on(t.workspaceId, t.provider, t.providerAccountId).where(sql`revoked_at IS NULL`),
    index("connected_accounts_user").on(t.workspaceId, t.userId),
  ],
);
