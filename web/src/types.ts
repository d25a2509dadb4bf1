// Wire types come from the SDK's types, generated off the server's OpenAPI document, so the app
// and the API cannot drift apart. Type-only: nothing is bundled.
import type * as Sdk from "../../sdk/src/types.ts";

export type User = Sdk.User;
export type Workspace = Sdk.Workspace;
export type Invite = Sdk.Invite;
export type InvitePreview = Sdk.InvitePreview;
export type Channel = Sdk.Channel;
export type Message = Sdk.Message;
export type MessagePage = Sdk.MessagePage;
export type ThreadPage = Sdk.ThreadPage;
export type ThreadState = Sdk.ThreadState;
export type Reaction = Sdk.ReactionSummary;
export type DirectConversation = Sdk.DirectConversation;
export type ChatEvent = Sdk.RealtimeEvent;
export type Member = Sdk.Member;
export type WorkspaceBotCommand = Sdk.WorkspaceBotCommand;
export type IncomingWebhook = Sdk.components["schemas"]["IncomingWebhook"];
/** A registered slash command as our server sends it (`callback_url` is "" for non-managers). */
export type SlashCommandInfo = Sdk.SlashCommand & { app_installation_id?: string | null };
export type FollowedThread = Sdk.FollowedThread & { root?: Message };
export type AuditLogEntry = Sdk.AuditLogEntry;
export type ChannelDeletePreview = Sdk.ChannelDeletePreview;
export type WorkspaceDeletePreview = Sdk.WorkspaceDeletePreview;
export type RouteTarget = Sdk.components["schemas"]["RouteTarget"];

/** An upload as the wire contract describes it (the route may not exist on every server). */
export interface Upload {
  id: string;
  workspace_id: string;
  filename: string;
  content_type: string;
  byte_size: number;
  width?: number | null;
  height?: number | null;
  created_at?: string;
}

export interface SearchResult {
  message: Message;
  snippet?: string;
  highlights?: { start: number; end: number }[];
}

/** Where messages live: a channel or a DM. Threads hang off a root message in either. */
export type ScopeKind = "channel" | "dm";
export interface Scope {
  kind: ScopeKind;
  id: string;
  workspaceId: string;
}
