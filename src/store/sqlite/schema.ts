// The SQLite schema, as drizzle sees it. Migrations in drizzle/sqlite are generated from this
// file (`bun run db:generate`); hand-written SQL (FTS, triggers) lives in custom migrations.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["human", "bot"] }).notNull(),
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
export const usersEpoch = sqliteTable("users_epoch", {
  id: integer("id").primaryKey(),
  epoch: integer("epoch").notNull().default(0),
});

export const workspaces = sqliteTable(
  "workspaces",
  {
    id: text("id").primaryKey(),
    routeId: text("route_id").notNull(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    iconUrl: text("icon_url"),
    createdAt: text("created_at").notNull(),
    deletedAt: text("deleted_at"),
    // The last event cursor handed out. Updating this row in every writing transaction is what
    // keeps cursors in commit order when several writers (Postgres instances) share a workspace.
    lastCursor: text("last_cursor"),
  },
  (t) => [uniqueIndex("workspaces_slug").on(t.slug), uniqueIndex("workspaces_route").on(t.routeId)],
);

export const members = sqliteTable(
  "members",
  {
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    userId: text("user_id").notNull().references(() => users.id),
    role: text("role", { enum: ["owner", "moderator", "member", "guest", "bot"] }).notNull(),
    joinedAt: text("joined_at").notNull(),
    timeoutUntil: text("timeout_until"),
    blockedAt: text("blocked_at"),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index("members_user").on(t.userId)],
);

export const channels = sqliteTable(
  "channels",
  {
    id: text("id").primaryKey(),
    routeId: text("route_id").notNull(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    name: text("name").notNull(),
    displayTitle: text("display_title"),
    kind: text("kind").notNull(),
    /** Readable only by the people in channel_members (see src/chat/private-channels.ts). */
    isPrivate: integer("is_private", { mode: "boolean" }).notNull().default(false),
    externalManaged: integer("external_managed", { mode: "boolean" }).notNull().default(false),
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
export const channelMembers = sqliteTable(
  "channel_members",
  {
    channelId: text("channel_id").notNull().references(() => channels.id),
    userId: text("user_id").notNull().references(() => users.id),
    addedBy: text("added_by"),
    addedAt: text("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] }), index("channel_members_user").on(t.userId)],
);

export const directConversations = sqliteTable(
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

export const dmMembers = sqliteTable(
  "dm_members",
  {
    dmId: text("dm_id").notNull().references(() => directConversations.id),
    userId: text("user_id").notNull().references(() => users.id),
    hiddenAt: text("hidden_at"),
  },
  (t) => [primaryKey({ columns: [t.dmId, t.userId] }), index("dm_members_user").on(t.userId)],
);

export const topics = sqliteTable("topics", {
  id: text("id").primaryKey(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
  channelId: text("channel_id"),
  name: text("name").notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: text("created_at").notNull(),
});

export const messages = sqliteTable(
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
    kind: text("kind", { enum: ["message", "agent_commentary", "agent_tool", "system"] }).notNull(),
    turnId: text("turn_id"),
    nonce: text("nonce"),
    // Fingerprint of what was posted with the nonce: a retry with the same payload is a replay
    // (200), another payload under the same nonce is a conflict (409).
    nonceFingerprint: text("nonce_fingerprint"),
    quotedMessageId: text("quoted_message_id"),
    quotedBodySnapshot: text("quoted_body_snapshot"),
    quotedAuthorId: text("quoted_author_id"),
    // Set when an incoming webhook posted the message: JSON {id, name}, the badge the app shows.
    webhook: text("webhook"),
    createdAt: text("created_at").notNull(),
    editedAt: text("edited_at"),
    deletedAt: text("deleted_at"),
    // Thread summary kept on the root so a channel page needs no aggregate per row.
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
    // Deleting a message clears the snapshots quoting it.
    index("messages_quoted").on(t.quotedMessageId).where(sql`quoted_message_id IS NOT NULL`),
    // A bot's questions, for GET /api/bots/self/questions.
    index("messages_questions").on(t.authorId, t.id).where(sql`question IS NOT NULL`),
  ],
);

export const reactions = sqliteTable(
  "reactions",
  {
    messageId: text("message_id").notNull().references(() => messages.id),
    userId: text("user_id").notNull().references(() => users.id),
    emoji: text("emoji").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.emoji, t.userId] })],
);

export const pins = sqliteTable(
  "pins",
  {
    channelId: text("channel_id").notNull().references(() => channels.id),
    messageId: text("message_id").notNull().references(() => messages.id),
    pinnedBy: text("pinned_by").notNull(),
    pinnedAt: text("pinned_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.messageId] })],
);

export const readStates = sqliteTable(
  "read_states",
  {
    scopeId: text("scope_id").notNull(),
    userId: text("user_id").notNull(),
    lastReadSeq: integer("last_read_seq").notNull(),
    lastReadAt: text("last_read_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scopeId, t.userId] })],
);

export const events = sqliteTable(
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

// Identity. Every secret (session, magic link, bot token, OAuth state) is stored as a SHA-256
// hash of a 256-bit random token: a leaked database holds nothing that signs anyone in.

export const sessions = sqliteTable(
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

export const magicLinks = sqliteTable(
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

export const botTokens = sqliteTable(
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
export const botSetupCodes = sqliteTable(
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
export const setupNonces = sqliteTable(
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
export const botCommands = sqliteTable(
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
export const botTombstones = sqliteTable("bot_tombstones", {
  botUserId: text("bot_user_id").primaryKey().references(() => users.id),
  formerHandle: text("former_handle").notNull(),
  deletedAt: text("deleted_at").notNull(),
  deletedBy: text("deleted_by"),
});

export const oauthStates = sqliteTable("oauth_states", {
  stateHash: text("state_hash").primaryKey(),
  codeVerifier: text("code_verifier").notNull(),
  returnTo: text("return_to"),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
});

export const moderationNotes = sqliteTable(
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

// Uploads. A row exists from the moment quota is reserved ("pending", byte_size = the
// reservation) until the bytes are stored ("ready", byte_size = the real size), so concurrent
// uploads count against the quota before any byte is written.
export const uploads = sqliteTable(
  "uploads",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id),
    ownerId: text("owner_id").notNull().references(() => users.id),
    status: text("status", { enum: ["pending", "ready"] }).notNull(),
    nonce: text("nonce"),
    // sha256 of the bytes and the filename: a nonce retried with other content is a conflict.
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
    // Set when the message it was attached to was deleted: from then on only its owner sees it.
    detachedAt: text("detached_at"),
  },
  (t) => [
    uniqueIndex("uploads_nonce").on(t.workspaceId, t.ownerId, t.nonce),
    index("uploads_message").on(t.messageId),
    // The quota is per person across workspaces.
    index("uploads_owner").on(t.ownerId),
  ],
);

// Objects to delete from upload storage. Written in the transaction that made them garbage
// (a deleted workspace, a failed upload) and drained after commit; what storage refuses stays
// queued and is retried, also on the next start.
export const uploadCleanup = sqliteTable("upload_cleanup", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  storageKey: text("storage_key").notNull(),
  reason: text("reason").notNull(),
  enqueuedAt: text("enqueued_at").notNull(),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
});

// Reaching people. A mention row is written in the post's transaction for each person the
// message mentions (src/chat/notifications.ts decides who); read receipts stamp read_at, so
// every device counts the same unread mentions.
export const mentions = sqliteTable(
  "mentions",
  {
    userId: text("user_id").notNull(),
    messageId: text("message_id").notNull(),
    workspaceId: text("workspace_id").notNull(),
    scopeId: text("scope_id").notNull(),
    // Null for a root message (read with the channel); the root's id for a reply (read with the thread).
    threadRootId: text("thread_root_id"),
    // channel_seq of a root, thread_seq of a reply: what read pointers compare against.
    seq: integer("seq").notNull(),
    reason: text("reason", { enum: ["direct", "broadcast", "thread"] }).notNull(),
    createdAt: text("created_at").notNull(),
    readAt: text("read_at"),
  },
  // Keyed by message first: a post's mention rows land on the table's last page (message ids
  // grow), and the push and digest workers read a page of the log's mentions by message. Only
  // the unread index is keyed by person (bench/mentions.ts: +15% posts with a mention each).
  (t) => [primaryKey({ columns: [t.messageId, t.userId] }), index("mentions_unread").on(t.userId, t.scopeId, t.readAt)],
);

export const threadFollows = sqliteTable(
  "thread_follows",
  {
    userId: text("user_id").notNull(),
    rootMessageId: text("root_message_id").notNull(),
    workspaceId: text("workspace_id").notNull(),
    scopeId: text("scope_id").notNull(),
    following: integer("following", { mode: "boolean" }).notNull(),
    reason: text("reason", { enum: ["started", "replied", "mentioned", "chose"] }).notNull(),
    lastReadSeq: integer("last_read_seq").notNull().default(0),
    updatedAt: text("updated_at").notNull(),
  },
  // The key's person prefix serves the Threads view (a person's follows); a second index per
  // person cost every mention another scattered page to write.
  (t) => [primaryKey({ columns: [t.userId, t.rootMessageId] }), index("thread_follows_root").on(t.rootMessageId)],
);

// A person's notification preference per channel or DM; scope_id "" holds their defaults
// (preference and do-not-disturb hours).
export const notificationSettings = sqliteTable(
  "notification_settings",
  {
    userId: text("user_id").notNull(),
    scopeId: text("scope_id").notNull(),
    preference: text("preference", { enum: ["all", "mentions", "muted"] }).notNull(),
    dndStartMinute: integer("dnd_start_minute"),
    dndEndMinute: integer("dnd_end_minute"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.scopeId] })],
);

// Outgoing webhooks. The signing secret is kept as given (not hashed): the server must sign every
// delivery with it. `cursor` is the subscription's own durable position in the event log; the
// lease lets one process at a time deliver a subscription's events, in order.
export const eventSubscriptions = sqliteTable(
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
    status: text("status", { enum: ["active", "disabled", "revoked"] }).notNull(),
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

export const eventDeliveries = sqliteTable(
  "event_deliveries",
  {
    id: text("id").primaryKey(),
    subscriptionId: text("subscription_id").notNull().references(() => eventSubscriptions.id),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    eventCursor: text("event_cursor").notNull(),
    attempt: integer("attempt").notNull(),
    outcome: text("outcome", { enum: ["succeeded", "failed", "refused"] }).notNull(),
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
export const slashCommands = sqliteTable(
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

export const slashInvocations = sqliteTable(
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
export const incomingWebhooks = sqliteTable(
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
export const appInstallations = sqliteTable(
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

// A person's Pushover user key (the original keeps it in the profile); a secret, so apart from
// the user row that others can read.
export const pushoverKeys = sqliteTable("pushover_keys", {
  userId: text("user_id").primaryKey(),
  userKey: text("user_key").notNull(),
  updatedAt: text("updated_at").notNull(),
});

// How far each background worker (notifications, ...) has read each workspace's event log, so a
// restart - even after kill -9 - resumes where it stopped.
export const workerPositions = sqliteTable(
  "worker_positions",
  {
    worker: text("worker").notNull(),
    workspaceId: text("workspace_id").notNull(),
    cursor: text("cursor"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.worker, t.workspaceId] })],
);

// The server's VAPID key pair for Web Push, generated once (id "default"): subscriptions are
// bound to the public key, so it must outlive restarts. The private key is a secret.
export const vapidKeys = sqliteTable("vapid_keys", {
  id: text("id").primaryKey(),
  publicKey: text("public_key").notNull(),
  privateKey: text("private_key").notNull(),
  createdAt: text("created_at").notNull(),
});

// One browser's Web Push subscription (a device); the push service's endpoint is unique.
export const pushSubscriptions = sqliteTable(
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
export const presenceSockets = sqliteTable(
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
export const presenceAway = sqliteTable(
  "presence_away",
  {
    workspaceId: text("workspace_id").notNull(),
    userId: text("user_id").notNull(),
    since: text("since").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

// Channels a person starred (first in their sidebar, on every device).
export const channelStars = sqliteTable(
  "channel_stars",
  {
    userId: text("user_id").notNull(),
    channelId: text("channel_id").notNull(),
    workspaceId: text("workspace_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] }), index("channel_stars_person").on(t.userId, t.workspaceId)],
);
// Invite links (src/chat/invites.ts). The token is kept only as its hash; `uses` is counted by a
// conditional update in the write that joins the person, so it never passes `max_uses`.
export const invites = sqliteTable(
  "invites",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    role: text("role", { enum: ["member", "guest"] }).notNull(),
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

// The mention digest (src/integrations/digest-worker.ts): per person, whether they want it, since
// when mentions wait to be mailed, and when the last mail went (at most one per interval).
export const digestStates = sqliteTable("digest_states", {
  userId: text("user_id").primaryKey(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  pendingSince: text("pending_since"),
  lastSentAt: text("last_sent_at"),
});

// Secrets the server makes once and keeps (e.g. the key that signs unsubscribe links).
export const serverSecrets = sqliteTable("server_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: text("created_at").notNull(),
});
// Who did what to a workspace's administration, written in the transaction of the action
// (src/chat/audit.ts). Ids are ULIDs: newest first is id order.
export const auditLog = sqliteTable(
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
export const connectedAccounts = sqliteTable(
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
