// Wire types come from the types generated off the server's OpenAPI document (the SDK's
// types.gen.ts), so the app and the API cannot drift apart. Type-only: nothing is bundled.
import type * as Gen from "../../sdk/src/types.gen.ts";

export type User = Gen.User;
export type Workspace = Gen.Workspace;
export type Channel = Gen.Channel;
export type Message = Gen.Message;
export type MessagePage = Gen.MessagePage;
export type ThreadPage = Gen.ThreadPage;
export type ThreadState = Gen.ThreadState;
export type Reaction = Gen.Reaction;
export type DirectConversation = Gen.Conversation;
export type ChatEvent = Gen.Event;
export type Member = Gen.Member;
export type FollowedThread = Gen.Thread & { root?: Message };

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
