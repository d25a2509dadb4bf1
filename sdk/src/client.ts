// ClickClackClient: one method per REST route, with the original SDK's names, arguments and return
// values (each returns the unwrapped envelope key, e.g. `.message`), so code written for the Go
// server's SDK runs unchanged. Additions are marked "not in the original".
import { type Fetcher, Http, type Query, seg } from "./http.ts";
import type {
  AppInstallation, AuditLogEntry, BotCommand, BotCommandInput, BotCreateInput, BotSetupClaim, BotSetupCode, BotSetupCodeInput, BotToken, BotTokenInput, BotWithTokens, Channel, ChannelInput, ChannelPatch, ConnectedAccount, ConnectedAccountInput, DeletedBot, DirectConversation, EphemeralEventType, EventDeliveryAttemptsOptions, AuditLogPage, AuditLogQuery, ChannelDeletePreview, PinRecord, SignInMethod, WorkspaceDeletePreview,
  EventDeliveryAttemptsPage, EventPage, EventSubscription, MagicLinkResult, MemberPage, Message, MessageInput, MessageListOptions, MessagePage,
  OwnedBotEntry, ProfilePatch, BotQuestionsOptions, BotQuestionsPage, MessageQuestion, QuestionAnswerInput, QuestionInput, QuestionResolutionInput, ReactionSummary, ReadReceipt, RealtimeEvent, RevokeAppInstallationOptions, RevokeAppInstallationResult,
  RouteTarget, SearchPage, SlashCommand, Thread, ThreadReplyInput, Topic, Upload, User, Workspace, WorkspaceBotCommand, WorkspaceInput,
  WorkspacePatch,
} from "./types.ts";

export type WebSocketConstructor = new (url: string | URL, protocols?: string | string[]) => WebSocket;

export interface ClickClackClientOptions {
  baseUrl: string;
  /** Dev servers only: act as this user (X-ClickClack-User). */
  userId?: string;
  /** A session (`sst_`) or bot (`ccb_`) token. */
  token?: string;
  fetch?: typeof fetch | Fetcher;
  webSocket?: WebSocketConstructor;
}

export interface SubscribeOptions {
  workspaceId: string;
  afterCursor?: string;
  onEvent: (event: RealtimeEvent) => void;
  onClose?: (event: CloseEvent) => void;
  /** Not in the original. */
  onOpen?: () => void;
}

const BEARER_PROTOCOL = "clickclack.bearer.";

function windowQuery(options: number | MessageListOptions): Query {
  // The original treats a bare number as after_seq, and defaults to after_seq=0 (the oldest page).
  const o = typeof options === "number" ? { afterSeq: options } : options;
  return { after_seq: o.afterSeq, before_seq: o.beforeSeq, around_seq: o.aroundSeq, limit: o.limit, topic_id: o.topicId, latest: o.latest };
}

export class ClickClackClient {
  private readonly http: Http;
  private readonly WebSocketImpl: WebSocketConstructor | undefined;

  constructor(options: ClickClackClientOptions) {
    this.http = new Http(options.baseUrl, options.fetch ?? ((url, init) => fetch(url, init)), { token: options.token, userId: options.userId });
    this.WebSocketImpl = options.webSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** The token in use (set by the constructor, `auth.setToken` or `auth.consumeMagicLink`). Not in the original. */
  get token(): string | undefined {
    return this.http.credentials.token;
  }

  private get<T>(path: string, query?: Query) {
    return this.http.request<T>("GET", path, { query });
  }
  private post<T>(path: string, body?: unknown, query?: Query) {
    return this.http.request<T>("POST", path, { body, query });
  }
  private patch<T>(path: string, body: unknown) {
    return this.http.request<T>("PATCH", path, { body });
  }
  private put<T>(path: string, body: unknown) {
    return this.http.request<T>("PUT", path, { body });
  }
  private del<T>(path: string) {
    return this.http.request<T>("DELETE", path);
  }

  /** What channels and DMs share: reading, posting and the read pointer. */
  private conversation(base: "/api/channels" | "/api/dms") {
    return {
      /** Root messages, ascending. As in the original, the default is after_seq=0 (the oldest page); pass `{}` for the latest. */
      messages: async (id: string, options: number | MessageListOptions = 0) => (await this.get<{ messages: Message[] }>(`${base}/${seg(id)}/messages`, windowQuery(options))).messages,
      /** The original's name for the whole MessagePage: `{messages, oldest_seq, newest_seq, has_older, has_newer}`. */
      messagePage: (id: string, options: number | MessageListOptions = {}) => this.get<MessagePage>(`${base}/${seg(id)}/messages`, windowQuery(options)),
      sendMessage: async (id: string, input: MessageInput) => (await this.post<{ message: Message }>(`${base}/${seg(id)}/messages`, input)).message,
      markRead: async (id: string, seq: number) => (await this.post<{ receipt: ReadReceipt }>(`${base}/${seg(id)}/read`, { seq })).receipt,
    };
  }

  auth = {
    requestMagicLink: (input: { email: string; display_name?: string }) => this.post<Record<string, unknown>>("/api/auth/magic/request", input),
    /** Signs in with a magic token; the session token becomes this client's token. */
    consumeMagicLink: async (token: string): Promise<MagicLinkResult> => {
      const data = await this.post<MagicLinkResult>("/api/auth/magic/consume", { token });
      this.http.credentials.token = data.session.token ?? data.token;
      return data;
    },
    setToken: (token: string) => {
      this.http.credentials.token = token;
    },
    githubStartUrl: (): string => `${this.http.baseUrl}/api/auth/github/start`,
    /** Revokes the calling session (idempotent) and forgets the token. Not in the original. */
    logout: async (): Promise<void> => {
      await this.post("/api/auth/logout", {});
      this.http.credentials.token = undefined;
    },
  };

  /** The server's readiness (`GET /readyz`): `{status: "ready"}`, or a ClickClackError (503 while its database is down). Not in the original. */
  health(): Promise<{ status: string }> {
    return this.get<{ status: string }>("/readyz");
  }

  async me(): Promise<User> {
    return (await this.get<{ user: User }>("/api/me")).user;
  }

  async updateMe(input: ProfilePatch): Promise<User> {
    return (await this.patch<{ user: User }>("/api/me", input)).user;
  }

  workspaces = {
    list: async () => (await this.get<{ workspaces: Workspace[] }>("/api/workspaces")).workspaces,
    create: async (input: WorkspaceInput) => (await this.post<{ workspace: Workspace }>("/api/workspaces", input)).workspace,
    get: async (workspaceId: string) => (await this.get<{ workspace: Workspace }>(`/api/workspaces/${seg(workspaceId)}`)).workspace,
    update: async (workspaceId: string, input: WorkspacePatch) => (await this.patch<{ workspace: Workspace }>(`/api/workspaces/${seg(workspaceId)}`, input)).workspace,
    transferOwnership: async (workspaceId: string, userId: string) =>
      (await this.post<{ workspace: Workspace }>(`/api/workspaces/${seg(workspaceId)}/transfer-ownership`, { user_id: userId })).workspace,
    delete: async (workspaceId: string): Promise<void> => {
      await this.del(`/api/workspaces/${seg(workspaceId)}`);
    },
    /** What deleting the workspace takes with it (owner). Not in the original. */
    deletePreview: async (workspaceId: string) => (await this.get<{ delete_preview: WorkspaceDeletePreview }>(`/api/workspaces/${seg(workspaceId)}/delete-preview`)).delete_preview,
    /** The member directory, whole page. Not in the original. */
    members: (workspaceId: string, options: { limit?: number; cursor?: string; q?: string; role?: string } = {}) =>
      this.get<MemberPage>(`/api/workspaces/${seg(workspaceId)}/members`, options),
  };

  routes = {
    resolve: async (workspaceRouteId: string, targetRouteId: string) => (await this.get<{ route: RouteTarget }>(`/api/routes/${seg(workspaceRouteId)}/${seg(targetRouteId)}`)).route,
  };

  topics = {
    list: async (workspaceId: string) => (await this.get<{ topics: Topic[] }>(`/api/workspaces/${seg(workspaceId)}/topics`)).topics,
    create: async (workspaceId: string, input: { name: string; channel_id?: string }) => (await this.post<{ topic: Topic }>(`/api/workspaces/${seg(workspaceId)}/topics`, input)).topic,
  };

  bots = {
    listMine: async () => (await this.get<{ bots: OwnedBotEntry[] }>("/api/me/bots")).bots,
    list: async (workspaceId: string) => (await this.get<{ bots: BotWithTokens[] }>(`/api/workspaces/${seg(workspaceId)}/bots`)).bots,
    listCommands: async (workspaceId: string) => (await this.get<{ bot_commands: WorkspaceBotCommand[] }>(`/api/workspaces/${seg(workspaceId)}/bot-commands`)).bot_commands,
    setCommands: async (commands: BotCommandInput[]) => (await this.put<{ bot_commands: BotCommand[] }>("/api/bots/self/commands", { commands })).bot_commands,
    create: (workspaceId: string, input: BotCreateInput) => this.post<{ bot: User; bot_token?: BotToken }>(`/api/workspaces/${seg(workspaceId)}/bots`, input),
    removeMembership: async (workspaceId: string, botUserId: string): Promise<void> => {
      await this.del(`/api/workspaces/${seg(workspaceId)}/bots/${seg(botUserId)}/membership`);
    },
    listWorkspaceTokens: async (workspaceId: string, botUserId: string) =>
      (await this.get<{ bot_tokens: BotToken[] }>(`/api/workspaces/${seg(workspaceId)}/bots/${seg(botUserId)}/tokens`)).bot_tokens,
    createWorkspaceToken: async (workspaceId: string, botUserId: string, input: BotTokenInput) =>
      (await this.post<{ bot_token: BotToken }>(`/api/workspaces/${seg(workspaceId)}/bots/${seg(botUserId)}/tokens`, input)).bot_token,
    listTokens: async (botUserId: string) => (await this.get<{ bot_tokens: BotToken[] }>(`/api/bots/${seg(botUserId)}/tokens`)).bot_tokens,
    createToken: async (botUserId: string, input: BotTokenInput) => (await this.post<{ bot_token: BotToken }>(`/api/bots/${seg(botUserId)}/tokens`, input)).bot_token,
    revokeToken: async (tokenId: string) => (await this.post<{ bot_token: BotToken }>(`/api/bot-tokens/${seg(tokenId)}/revoke`, {})).bot_token,
    /** Retires a bot everywhere: credentials revoked, memberships removed, its handle free again. */
    delete: async (botUserId: string) => (await this.del<{ deleted_bot: DeletedBot }>(`/api/bots/${seg(botUserId)}`)).deleted_bot,
    /** A single-use code (10 minutes) an installer exchanges for one token of the bot. */
    createSetupCode: async (workspaceId: string, botUserId: string, input: BotSetupCodeInput = {}) =>
      (await this.post<{ setup_code: BotSetupCode }>(`/api/workspaces/${seg(workspaceId)}/bots/${seg(botUserId)}/setup-codes`, input)).setup_code,
    /** Exchanges a setup code for the bot's token (needs no credentials). */
    claimSetupCode: (code: string) => this.post<BotSetupClaim>("/api/bot-setup-codes/claim", { code }),
  };

  apps = {
    list: async (workspaceId: string) => (await this.get<{ app_installations: AppInstallation[] }>(`/api/workspaces/${seg(workspaceId)}/app-installations`)).app_installations,
    install: async (workspaceId: string, input: { app_slug: string; display_name?: string; bot_user_id: string; config?: Record<string, unknown>; setup_nonce?: string }) =>
      (await this.post<{ app_installation: AppInstallation }>(`/api/workspaces/${seg(workspaceId)}/app-installations`, input)).app_installation,
    revoke: (installationId: string, options: RevokeAppInstallationOptions = {}) =>
      this.post<RevokeAppInstallationResult>(`/api/app-installations/${seg(installationId)}/revoke`, options),
  };

  slashCommands = {
    list: async (workspaceId: string) => (await this.get<{ slash_commands: SlashCommand[] }>(`/api/workspaces/${seg(workspaceId)}/slash-commands`)).slash_commands,
    create: async (workspaceId: string, input: { command: string; callback_url: string; bot_user_id: string; app_installation_id?: string; description?: string }) =>
      (await this.post<{ slash_command: SlashCommand }>(`/api/workspaces/${seg(workspaceId)}/slash-commands`, input)).slash_command,
    revoke: async (commandId: string) => (await this.post<{ slash_command: SlashCommand }>(`/api/slash-commands/${seg(commandId)}/revoke`, {})).slash_command,
    rotateSecret: async (commandId: string) => (await this.post<{ slash_command: SlashCommand }>(`/api/slash-commands/${seg(commandId)}/rotate-secret`, {})).slash_command,
  };

  eventSubscriptions = {
    list: async (workspaceId: string) => (await this.get<{ event_subscriptions: EventSubscription[] }>(`/api/workspaces/${seg(workspaceId)}/event-subscriptions`)).event_subscriptions,
    create: async (workspaceId: string, input: { event_types: string[]; callback_url: string; app_installation_id?: string }) =>
      (await this.post<{ event_subscription: EventSubscription }>(`/api/workspaces/${seg(workspaceId)}/event-subscriptions`, input)).event_subscription,
    revoke: async (subscriptionId: string) => (await this.post<{ event_subscription: EventSubscription }>(`/api/event-subscriptions/${seg(subscriptionId)}/revoke`, {})).event_subscription,
    rotateSecret: async (subscriptionId: string) =>
      (await this.post<{ event_subscription: EventSubscription }>(`/api/event-subscriptions/${seg(subscriptionId)}/rotate-secret`, {})).event_subscription,
    deliveries: (subscriptionId: string, options: EventDeliveryAttemptsOptions = {}) =>
      this.get<EventDeliveryAttemptsPage>(`/api/event-subscriptions/${seg(subscriptionId)}/deliveries`, { limit: options.limit, before: options.before }),
  };

  eventTypes = {
    list: async () => (await this.get<{ event_types: string[] }>("/api/event-types")).event_types,
  };

  auditLog = {
    list: async (workspaceId: string, limit = 100) => (await this.get<{ audit_log_entries: AuditLogEntry[] }>(`/api/workspaces/${seg(workspaceId)}/audit-log`, { limit })).audit_log_entries,
    /** One page, whole (`{audit_log_entries, next_cursor?}`), with filters. Not in the original. */
    page: (workspaceId: string, query: AuditLogQuery = {}) => this.get<AuditLogPage>(`/api/workspaces/${seg(workspaceId)}/audit-log`, query),
  };

  connectedAccounts = {
    list: async (workspaceId: string) => (await this.get<{ connected_accounts: ConnectedAccount[] }>(`/api/workspaces/${seg(workspaceId)}/connected-accounts`)).connected_accounts,
    create: async (workspaceId: string, input: ConnectedAccountInput) =>
      (await this.post<{ connected_account: ConnectedAccount }>(`/api/workspaces/${seg(workspaceId)}/connected-accounts`, input)).connected_account,
    revoke: async (accountId: string) => (await this.post<{ connected_account: ConnectedAccount }>(`/api/connected-accounts/${seg(accountId)}/revoke`, {})).connected_account,
    /** How you sign in (GitHub, email, password). Not in the original. */
    signInMethods: async () => (await this.get<{ sign_in_methods: SignInMethod[] }>("/api/me/sign-in-methods")).sign_in_methods,
    /** Unlinks GitHub (409 last_sign_in_method when it is your only way in). Not in the original. */
    unlinkGithub: async () => (await this.del<{ sign_in_methods: SignInMethod[] }>("/api/me/sign-in-methods/github")).sign_in_methods,
  };

  channels = {
    list: async (workspaceId: string) => (await this.get<{ channels: Channel[] }>(`/api/workspaces/${seg(workspaceId)}/channels`)).channels,
    /** Not in the original. */
    get: async (channelId: string) => (await this.get<{ channel: Channel }>(`/api/channels/${seg(channelId)}`)).channel,
    create: async (workspaceId: string, input: ChannelInput) => (await this.post<{ channel: Channel }>(`/api/workspaces/${seg(workspaceId)}/channels`, input)).channel,
    update: async (channelId: string, input: ChannelPatch) => (await this.patch<{ channel: Channel }>(`/api/channels/${seg(channelId)}`, input)).channel,
    /** Not in the original. */
    delete: async (channelId: string): Promise<void> => {
      await this.del(`/api/channels/${seg(channelId)}`);
    },
    /** What deleting the channel takes with it, and what stops it (owner). Not in the original. */
    deletePreview: async (channelId: string) => (await this.get<{ delete_preview: ChannelDeletePreview }>(`/api/channels/${seg(channelId)}/delete-preview`)).delete_preview,
    /** The pin records (who pinned what, when), in the order of `pins`. Not in the original. */
    pinRecords: async (channelId: string) => (await this.get<{ pins: PinRecord[] }>(`/api/channels/${seg(channelId)}/pins`)).pins,
    ...this.conversation("/api/channels"),
    /** The original's names for pins. */
    pins: async (channelId: string) => (await this.get<{ messages: Message[] }>(`/api/channels/${seg(channelId)}/pins`)).messages,
    pinMessage: async (channelId: string, messageId: string) => (await this.post<{ pinned_message: Message }>(`/api/channels/${seg(channelId)}/pins`, { message_id: messageId })).pinned_message,
    unpinMessage: async (channelId: string, messageId: string) => (await this.del<{ event: RealtimeEvent | null }>(`/api/channels/${seg(channelId)}/pins/${seg(messageId)}`)).event,
    /** A private channel's members (not in the original; 409 channel_not_private for a public one). */
    members: async (channelId: string) => (await this.get<{ members: User[] }>(`/api/channels/${seg(channelId)}/members`)).members,
    /** Adds a member of the workspace to a private channel; null when they already were in it. */
    addMember: async (channelId: string, userId: string) => (await this.post<{ event?: RealtimeEvent }>(`/api/channels/${seg(channelId)}/members`, { user_id: userId })).event ?? null,
    /** Removes someone from a private channel (your own id: leave it). */
    removeMember: async (channelId: string, userId: string): Promise<void> => {
      await this.del(`/api/channels/${seg(channelId)}/members/${seg(userId)}`);
    },
  };

  messages = {
    get: async (messageId: string) => (await this.get<{ message: Message }>(`/api/messages/${seg(messageId)}`)).message,
    /** Your message with this nonce, or undefined when there is none. */
    findByNonce: async (workspaceId: string, nonce: string) =>
      (await this.http.findByNonce<{ message: Message }>("/api/messages/by-nonce", "X-ClickClack-Message-Nonce", { workspace_id: workspaceId, nonce }))?.message,
    update: async (messageId: string, input: { body: string }) => (await this.patch<{ message: Message }>(`/api/messages/${seg(messageId)}`, input)).message,
    delete: async (messageId: string) => (await this.del<{ message: Message }>(`/api/messages/${seg(messageId)}`)).message,
    /** The original's names for reactions; the message's reaction summaries after the change. */
    addReaction: async (messageId: string, emoji: string) => (await this.post<{ reactions: ReactionSummary[] }>(`/api/messages/${seg(messageId)}/reactions`, { emoji })).reactions,
    removeReaction: async (messageId: string, emoji: string) => (await this.del<{ reactions: ReactionSummary[] }>(`/api/messages/${seg(messageId)}/reactions/${seg(emoji)}`)).reactions,
    /** The message with its shareable route id (`route_id`). */
    route: async (messageId: string) => (await this.post<{ message: Message }>(`/api/messages/${seg(messageId)}/route`, {})).message,
  };

  /**
   * Questions (ask-user cards). A bot asks by posting a message with `question`; people answer;
   * the bot hears `question.submitted`, then resolves. Each returns the question after the call.
   */
  questions = {
    /** Post a message carrying a question in a channel (`ask` in a DM: `dms.sendMessage` with `question`). */
    ask: async (channelId: string, input: { body: string; question: QuestionInput; nonce?: string }) =>
      (await this.post<{ message: Message }>(`/api/channels/${seg(channelId)}/messages`, input)).message,
    /** The question on a message (undefined when it has none). */
    get: async (messageId: string): Promise<MessageQuestion | undefined> => (await this.get<{ message: Message }>(`/api/messages/${seg(messageId)}`)).message.question,
    /** Answer as a person: first valid answer wins (409 after it); a retry with the same nonce gets the same result. */
    answer: async (messageId: string, input: QuestionAnswerInput) =>
      (await this.post<{ question: MessageQuestion }>(`/api/messages/${seg(messageId)}/question/answers`, input)).question,
    /** The asking bot resolves its question: answered, cancelled or failed. */
    resolve: async (messageId: string, input: QuestionResolutionInput) =>
      (await this.post<{ question: MessageQuestion }>(`/api/messages/${seg(messageId)}/question/resolution`, input)).question,
    /** The calling bot's questions, oldest first: `{questions, next_cursor}`. */
    list: (options: BotQuestionsOptions = {}) => this.get<BotQuestionsPage>("/api/bots/self/questions", options as Query),
  };

  /** Where this server's home is, as the original: `{url, label}`. */
  homeLink(): Promise<{ url: string; label: string }> {
    return this.get<{ url: string; label: string }>("/api/home-link");
  }

  threads = {
    /** The whole ThreadPage: `{root, replies, thread_state, …}`. */
    get: (messageId: string, limit: number | (MessageListOptions & { latest?: boolean }) = 100) =>
      this.get<Thread>(`/api/messages/${seg(messageId)}/thread`, typeof limit === "number" ? { limit } : windowQuery(limit)),
    reply: async (messageId: string, input: ThreadReplyInput) => (await this.post<{ message: Message }>(`/api/messages/${seg(messageId)}/thread/replies`, input)).message,
  };

  /** Not in the original. Returns the message's reaction summaries after the change. */
  reactions = {
    add: async (messageId: string, emoji: string) => (await this.post<{ reactions: ReactionSummary[] }>(`/api/messages/${seg(messageId)}/reactions`, { emoji })).reactions,
    remove: async (messageId: string, emoji: string) => (await this.del<{ reactions: ReactionSummary[] }>(`/api/messages/${seg(messageId)}/reactions/${seg(emoji)}`)).reactions,
  };

  /** Not in the original. */
  pins = {
    list: async (channelId: string) => (await this.get<{ messages: Message[] }>(`/api/channels/${seg(channelId)}/pins`)).messages,
    add: async (channelId: string, messageId: string) => (await this.post<{ pinned_message: Message }>(`/api/channels/${seg(channelId)}/pins`, { message_id: messageId })).pinned_message,
    remove: async (channelId: string, messageId: string) => (await this.del<{ event: RealtimeEvent | null }>(`/api/channels/${seg(channelId)}/pins/${seg(messageId)}`)).event,
  };

  /** A function, as in the original: `client.search(workspaceId, "query")` → `{results, next_cursor}`. */
  search = (workspaceId: string, query: string, options: { channelId?: string; directConversationId?: string; limit?: number; cursor?: string } = {}) =>
    this.get<SearchPage>("/api/search", {
      workspace_id: workspaceId,
      q: query,
      channel_id: options.channelId,
      direct_conversation_id: options.directConversationId,
      limit: options.limit,
      cursor: options.cursor,
    });

  uploads = {
    create: async (workspaceId: string, file: Blob, filename = "upload.bin", options: { nonce?: string } = {}) => {
      const form = new FormData();
      form.set("file", file, filename);
      return (await this.post<{ upload: Upload }>("/api/uploads", form, { workspace_id: workspaceId, nonce: options.nonce || undefined })).upload;
    },
    findByNonce: async (workspaceId: string, nonce: string) =>
      (await this.http.findByNonce<{ upload: Upload }>("/api/uploads/by-nonce", "X-ClickClack-Upload-Nonce", { workspace_id: workspaceId, nonce }))?.upload,
    attach: async (messageId: string, uploadId: string): Promise<void> => {
      await this.post(`/api/messages/${seg(messageId)}/attachments`, { upload_id: uploadId });
    },
  };

  dms = {
    list: async (workspaceId: string) => (await this.get<{ conversations: DirectConversation[] }>("/api/dms", { workspace_id: workspaceId })).conversations,
    create: async (workspaceId: string, memberIds: string[]) =>
      (await this.post<{ conversation: DirectConversation }>("/api/dms", { workspace_id: workspaceId, member_ids: memberIds })).conversation,
    get: async (conversationId: string) => (await this.get<{ conversation: DirectConversation }>(`/api/dms/${seg(conversationId)}`)).conversation,
    close: async (conversationId: string): Promise<void> => {
      await this.del(`/api/dms/${seg(conversationId)}`);
    },
    open: async (conversationId: string) => (await this.post<{ conversation: DirectConversation }>(`/api/dms/${seg(conversationId)}/open`)).conversation,
    ...this.conversation("/api/dms"),
  };

  events = {
    /** One page of durable events after a cursor, whole: `{events, next_cursor, has_more, tail_cursor?}`. Not in the original. */
    list: (workspaceId: string, options: { afterCursor?: string; limit?: number; includeTail?: boolean } = {}) =>
      this.get<EventPage>("/api/realtime/events", {
        workspace_id: workspaceId,
        after_cursor: options.afterCursor || undefined,
        limit: options.limit,
        include_tail: options.includeTail ? "true" : undefined,
      }),
    publishEphemeral: async (input: { workspaceId: string; channelId?: string; directConversationId?: string; type: EphemeralEventType; payload?: Record<string, unknown> }) =>
      (
        await this.post<{ event: RealtimeEvent }>("/api/realtime/ephemeral", {
          workspace_id: input.workspaceId,
          channel_id: input.channelId,
          direct_conversation_id: input.directConversationId,
          type: input.type,
          payload: input.payload,
        })
      ).event,
    /** A WebSocket that passes each event frame to `onEvent`; no reconnects (ClickClackBot does those). */
    subscribe: (options: SubscribeOptions): WebSocket => {
      if (!this.WebSocketImpl) throw new Error("ClickClackClient events.subscribe needs a WebSocket implementation (pass options.webSocket)");
      const url = new URL(`${this.http.baseUrl}/api/realtime/ws`);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      url.searchParams.set("workspace_id", options.workspaceId);
      if (options.afterCursor) url.searchParams.set("after_cursor", options.afterCursor);
      const { token, userId } = this.http.credentials;
      // Browsers cannot set headers on a WebSocket, hence the bearer subprotocol. The dev-mode
      // user header can only travel on runtimes whose WebSocket takes headers (Bun).
      const protocols = token ? [`${BEARER_PROTOCOL}${token}`] : undefined;
      const socket =
        userId && "Bun" in globalThis && !token
          ? new (this.WebSocketImpl as unknown as new (url: URL, init: { headers: Record<string, string> }) => WebSocket)(url, { headers: { "X-ClickClack-User": userId } })
          : protocols
            ? new this.WebSocketImpl(url, protocols)
            : new this.WebSocketImpl(url);
      socket.addEventListener("message", (message) => options.onEvent(JSON.parse(String(message.data)) as RealtimeEvent));
      if (options.onOpen) socket.addEventListener("open", options.onOpen);
      if (options.onClose) socket.addEventListener("close", options.onClose);
      return socket;
    },
  };
}
