// The SDK's public types. Wherever the server documents a route, the type comes from the generated
// `types.gen.ts` (so it follows the route schemas); for routes this server does not serve yet, a
// fallback written from the wire contract stands in, and is replaced automatically once
// `bun sdk/scripts/gen-types.ts` sees the route.
import type * as Gen from "./types.gen.ts";

export type { Paths, Paths as paths } from "./types.gen.ts";

type Methods<P> = P extends keyof Gen.Paths ? Gen.Paths[P] : never;
type Operation<P, M extends string> = M extends keyof Methods<P> ? Methods<P>[M] : never;
type Success<O> = O extends { responses: infer R } ? R[Extract<keyof R, 200 | 201 | 202 | 204>] : never;

/** The success body of `M P`, or `Fallback` while the server does not document that route. */
export type Ok<P extends string, M extends string, Fallback = never> = [Operation<P, M>] extends [never] ? Fallback : Success<Operation<P, M>>;
/** The request body of `M P`, or `Fallback` while the server does not document that route. */
export type BodyOf<P extends string, M extends string, Fallback = never> = Operation<P, M> extends { body: infer B } ? B : Fallback;
/** The query parameters of `M P`. */
export type QueryOf<P extends string, M extends string, Fallback = never> = Operation<P, M> extends { query: infer Q } ? Q : Fallback;

export type User = Gen.User;
export type Workspace = Gen.Workspace;
export type Channel = Gen.Channel;
export type Message = Gen.Message;
export type MessageKind = Gen.Message["kind"];
export type MessageInput = Gen.MessageInput;
export type MessagePage = Gen.MessagePage;
export type ThreadPage = Gen.ThreadPage;
/** The original SDK's name for a thread page. */
export type Thread = ThreadPage;
export type ThreadState = Gen.ThreadState;
export type ReactionSummary = Gen.Reaction;
export type ReadReceipt = Gen.Receipt;
export type DirectConversation = Gen.Conversation;
export type RealtimeEvent = Gen.Event;
export type RealtimeEventPayload = RealtimeEvent["payload"];
export type ErrorBody = Gen.ErrorBody;
export type MemberPage = Ok<"/api/workspaces/{id}/members", "get">;
export type EventPage = Ok<"/api/realtime/events", "get">;
export type EphemeralEventType = "typing.started" | "typing.stopped" | "presence.changed" | "agent.progress";

export type WorkspaceInput = BodyOf<"/api/workspaces", "post">;
export type WorkspacePatch = BodyOf<"/api/workspaces/{id}", "patch">;
export type ChannelInput = BodyOf<"/api/workspaces/{id}/channels", "post">;
export type ChannelPatch = BodyOf<"/api/channels/{id}", "patch">;
export type ProfilePatch = BodyOf<"/api/me", "patch">;
export type ThreadReplyInput = BodyOf<"/api/messages/{id}/thread/replies", "post">;

export interface MessageListOptions {
  afterSeq?: number;
  beforeSeq?: number;
  aroundSeq?: number;
  limit?: number;
  topicId?: string;
  latest?: boolean;
}

// ---- Routes the wire contract names but this server may not serve yet (fallback shapes). ----

export type Topic = Ok<"/api/workspaces/{id}/topics", "post", { topic: TopicShape }>["topic"];
export interface TopicShape {
  id: string;
  workspace_id: string;
  channel_id?: string | null;
  name: string;
  created_by?: string;
  created_at: string;
  archived_at?: string | null;
}

export type Upload = Ok<"/api/uploads", "post", { upload: UploadShape }>["upload"];
export interface UploadShape {
  id: string;
  workspace_id: string;
  owner_id: string;
  nonce?: string | null;
  filename: string;
  content_type: string;
  byte_size: number;
  width?: number | null;
  height?: number | null;
  duration_ms?: number | null;
  created_at: string;
}

export type SearchPage = Ok<"/api/search", "get", { results: SearchResult[]; next_cursor: string | null }>;
export interface SearchResult {
  message: Message;
  snippet?: string;
  highlights?: { start: number; end: number }[];
  rank?: number;
}

export type RouteTarget = Ok<"/api/routes/{workspace_route_id}/{target_route_id}", "get", { route: RouteShape }>["route"];
export interface RouteShape {
  workspace_id: string;
  workspace_route_id: string;
  target_type: "channel" | "direct" | "thread";
  target_id: string;
  target_route_id: string;
  parent_type?: "channel" | "direct";
  parent_id?: string;
  parent_route_id?: string;
  canonical_path: string;
}

export type MagicLinkResult = Ok<"/api/auth/magic/consume", "post">;
export type Session = MagicLinkResult["session"];
export type BotToken = Gen.BotToken;
export type BotWithTokens = Ok<"/api/workspaces/{id}/bots", "get">["bots"][number];
/** `setup_nonce` is the original SDK's; servers that do not know it ignore it. */
export type BotCreateInput = BodyOf<"/api/workspaces/{id}/bots", "post"> & { setup_nonce?: string };
export type BotTokenInput = BodyOf<"/api/workspaces/{id}/bots/{bot_user_id}/tokens", "post"> & { setup_nonce?: string };

export interface BotCommandInput {
  command: string;
  description: string;
  args_hint?: string;
}
export interface BotCommand extends Required<BotCommandInput> {
  id: string;
  workspace_id: string;
  bot_user_id: string;
  created_at: string;
  updated_at: string;
}
export interface BotCommandBot {
  id: string;
  handle: string;
  display_name: string;
  avatar_url: string | null;
}
export interface WorkspaceBotCommand extends Required<BotCommandInput> {
  id: string;
  bot: BotCommandBot;
  created_at: string;
  updated_at: string;
}
export interface OwnedBotWorkspace {
  id: string;
  route_id: string;
  name: string;
}
export interface OwnedBotEntry {
  bot: User;
  workspace: OwnedBotWorkspace;
  active_token_count: number;
}

export interface AppInstallation {
  id: string;
  workspace_id: string;
  app_slug: string;
  display_name: string;
  bot_user_id: string;
  config: Record<string, unknown>;
  created_by?: string;
  created_at: string;
  revoked_at?: string | null;
}
export interface RevokeAppInstallationOptions {
  revoke_slash_commands?: boolean;
  revoke_event_subscriptions?: boolean;
  revoke_bot_tokens?: boolean;
}
export interface RevokeAppInstallationResult {
  installation: AppInstallation;
  revoked: { slash_commands: number; event_subscriptions: number; bot_tokens: number };
}
export interface SlashCommand {
  id: string;
  workspace_id: string;
  app_installation_id?: string;
  command: string;
  description: string;
  callback_url: string;
  signing_secret?: string;
  bot_user_id: string;
  created_by?: string;
  created_at: string;
  revoked_at?: string | null;
}
export interface EventSubscription {
  id: string;
  workspace_id: string;
  app_installation_id?: string;
  event_types: string[];
  callback_url: string;
  signing_secret?: string;
  created_by?: string;
  created_at: string;
  revoked_at?: string | null;
}
export interface EventDeliveryAttempt {
  id: string;
  subscription_id: string;
  event_id: string;
  workspace_id: string;
  event_type: string;
  attempt: number;
  request_json?: string;
  response_status: number;
  response_body?: string;
  error?: string;
  created_at: string;
  completed_at: string;
}
export interface EventDeliveryAttemptsOptions {
  limit?: number;
  before?: string;
}
export interface EventDeliveryAttemptsPage {
  deliveries: EventDeliveryAttempt[];
  next_cursor: string | null;
}
export interface AuditLogEntry {
  id: string;
  workspace_id: string;
  actor_user_id: string;
  action: string;
  target_type: string;
  target_id: string;
  metadata: Record<string, unknown>;
  created_at: string;
}
export interface ConnectedAccount {
  id: string;
  workspace_id: string;
  user_id: string;
  provider: string;
  provider_account_id: string;
  display_name: string;
  scopes: string[];
  metadata: Record<string, unknown>;
  created_at: string;
  revoked_at?: string | null;
}
export interface ConnectedAccountInput {
  user_id: string;
  provider: string;
  provider_account_id: string;
  display_name?: string;
  scopes?: string[];
  metadata?: Record<string, unknown>;
}
