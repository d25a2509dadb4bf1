// Access rules: who may read and write what. Handlers call these before touching the store; the
// same rules gate realtime delivery, so a socket never shows what a GET would refuse.
import { AppError, forbidden, notFound } from "../chat/errors.ts";
import { readsChannel } from "../chat/private-channels.ts";
import type { Role } from "../chat/types.ts";
import type { ChannelRecord, DmRecord, Membership, Store } from "../store/store.ts";
import { type Actor, missingScope, type Scope } from "./actor.ts";
import { currentActor } from "./credentials.ts";
import { assertScopesWithin } from "./scopes.ts";

const MANAGERS: ReadonlySet<Role> = new Set(["owner", "moderator"]);

/**
 * A user-owned bot never acts with more than its owner may: it reads what its owner reads (a
 * guest's bot only #guest) and its owner's block or time-out holds it too.
 */
export function ownedBotMembership(bot: Membership, owner: Membership): Membership {
  const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);
  return {
    ...bot,
    role: owner.role === "guest" ? "guest" : bot.role,
    blockedAt: bot.blockedAt ?? owner.blockedAt,
    timeoutUntil: later(bot.timeoutUntil, owner.timeoutUntil),
  };
}

export class Access {
  constructor(private store: Store) {}

  requireScope(actor: Actor, scope: Scope): void {
    if (actor.scopes && !actor.scopes.has(scope)) throw missingScope(actor, scope);
  }

  /** The actor's membership as the rules see it: a user-owned bot's is bounded by its owner's. */
  async member(actor: Actor, workspaceId: string): Promise<Membership> {
    if (actor.tokenWorkspaceId && actor.tokenWorkspaceId !== workspaceId) throw forbidden("this token is bound to another workspace", "wrong_workspace");
    const m = await this.store.workspaces.membership(workspaceId, actor.user.id);
    if (!m) {
      const ws = await this.store.workspaces.get(workspaceId);
      if (!ws) throw notFound("workspace");
      throw forbidden("you are not a member of this workspace", "not_member");
    }
    const ownerId = actor.user.kind === "bot" ? actor.user.owner_user_id : null;
    if (!ownerId) return m;
    const owner = await this.store.workspaces.membership(workspaceId, ownerId);
    if (!owner) throw forbidden("this bot's owner is not a member of this workspace", "owner_not_member");
    return ownedBotMembership(m, owner);
  }
  /**
   * At mint time a token carries no scope beyond what its minter may do, nor beyond what the
   * bot's owner may do (the owner's role is checked again at every use).
   */
  async assertMintable(minter: Membership, botOwnerId: string | null, scopes: readonly Scope[]): Promise<void> {
    assertScopesWithin(scopes, minter.role);
    if (botOwnerId && botOwnerId !== minter.userId) assertScopesWithin(scopes, (await this.store.workspaces.membership(minter.workspaceId, botOwnerId))?.role ?? null);
  }
  /** What a socket of this actor may receive in the workspace; refuses like the HTTP API would. */
  async realtimeGrant(actor: Actor, workspaceId: string): Promise<{ role: Role; readsDms: boolean }> {
    this.requireScope(actor, "realtime:read");
    const m = await this.member(actor, workspaceId);
    return { role: m.role, readsDms: this.readsDms(actor, m) };
  }
  /**
   * Whether a socket opened with this grant may stay open, judged from durable state alone: the
   * credential as stored now, the membership and role as stored now.
   */
  async stillGranted(opened: { userId: string; workspaceId: string; via: Actor["via"]; credentialId?: string; role: Role; readsDms: boolean }): Promise<boolean> {
    const actor = await currentActor(this.store, opened);
    if (!actor) return false;
    try {
      const now = await this.realtimeGrant(actor, opened.workspaceId);
      return now.role === opened.role && now.readsDms === opened.readsDms;
    } catch (err) {
      if (err instanceof AppError) return false;
      throw err;
    }
  }
  /** Whether this actor, with this membership, may read direct messages (HTTP and sockets alike). */
  readsDms(actor: Actor, m: Membership): boolean {
    return m.role !== "guest" && (!actor.scopes || actor.scopes.has("dms:read"));
  }

  async manager(actor: Actor, workspaceId: string): Promise<Membership> {
    const m = await this.member(actor, workspaceId);
    if (!MANAGERS.has(m.role)) throw forbidden("only owners and moderators can do that", "not_manager");
    return m;
  }

  /** Moderation refuses writes to blocked and timed-out members (reads stay allowed). */
  assertCanWrite(m: Membership): void {
    if (m.blockedAt) throw forbidden("you are blocked in this workspace", "moderation_blocked");
    if (m.timeoutUntil && m.timeoutUntil > new Date().toISOString()) throw forbidden(`you are timed out until ${m.timeoutUntil}`, "moderation_timeout");
  }

  /** Guests read guest channels; a private channel is read by its members alone (src/chat/private-channels.ts). */
  canReadChannel(m: Membership, channel: ChannelRecord): boolean {
    return readsChannel(m, channel);
  }

  async channel(actor: Actor, channelId: string, mode: "read" | "write"): Promise<{ channel: ChannelRecord; membership: Membership }> {
    const channel = await this.store.channels.record(channelId);
    if (!channel) throw notFound("channel");
    const membership = await this.member(actor, channel.workspaceId);
    if (!this.canReadChannel(membership, channel)) throw notFound("channel");
    if (mode === "write") {
      this.assertCanWrite(membership);
      if (channel.archivedAt) throw forbidden("the channel is archived", "channel_archived");
    }
    return { channel, membership };
  }

  /**
   * Access to a private channel's member list: its members read it, and so do the workspace's
   * managers, who are not in it (they manage it; they still cannot read its messages). Anyone
   * else gets the 404 a channel they may not see always gives.
   */
  async channelMembers(actor: Actor, channelId: string): Promise<{ channel: ChannelRecord; membership: Membership; inChannel: boolean }> {
    const channel = await this.store.channels.record(channelId);
    if (!channel) throw notFound("channel");
    const membership = await this.member(actor, channel.workspaceId);
    const inChannel = channel.memberIds?.includes(actor.user.id) ?? false;
    if (!this.canReadChannel(membership, channel) && !(channel.memberIds && MANAGERS.has(membership.role))) throw notFound("channel");
    return { channel, membership, inChannel };
  }

  async dm(actor: Actor, dmId: string, mode: "read" | "write"): Promise<{ dm: DmRecord; membership: Membership }> {
    const dm = await this.store.dms.record(dmId);
    if (!dm || !dm.memberIds.includes(actor.user.id)) throw notFound("direct conversation");
    // A bot reaches a DM's messages only with the DM scopes, whatever route it came through.
    this.requireScope(actor, mode === "read" ? "dms:read" : "dms:write");
    const membership = await this.member(actor, dm.workspaceId);
    if (membership.role === "guest") throw forbidden("guests cannot use direct messages", "guest_restricted");
    if (mode === "write") this.assertCanWrite(membership);
    return { dm, membership };
  }

  /** Access to the channel or DM that holds a message. */
  async message(actor: Actor, messageId: string, mode: "read" | "write") {
    const info = await this.store.messages.scopeOf(messageId);
    if (!info) throw notFound("message");
    const ctx = info.scope.kind === "channel" ? await this.channel(actor, info.scope.id, mode) : await this.dm(actor, info.scope.id, mode);
    return { ...info, membership: ctx.membership };
  }
}
