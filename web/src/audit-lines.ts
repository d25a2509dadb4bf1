// The audit log in words: one line per entry, as a person would say it ("Ada renamed #general
// to #lobby"). Names come from the caller (the directory knows people; ids stand in otherwise).
import type { AuditLogEntry } from "./types.ts";

type Name = (userId: string) => string;

const str = (v: unknown): string => (typeof v === "string" ? v : "");

export function auditLine(e: AuditLogEntry, name: Name): string {
  const who = e.actor_user_id === "cli" ? "An operator (admin command)" : name(e.actor_user_id);
  const m = e.metadata as Record<string, unknown>;
  const channel = str(m.name) ? `#${str(m.name)}` : "a channel";
  const person = name(e.target_id);
  switch (e.action) {
    case "member.added": return `${who} added ${person} as ${str(m.role) || "member"}`;
    case "member.role_changed": return `${who} changed ${person}'s role from ${str(m.from)} to ${str(m.to)}`;
    case "member.timed_out": return `${who} timed out ${person}${str(m.until) ? ` until ${new Date(str(m.until)).toLocaleString()}` : ""}`;
    case "member.timeout_cleared": return `${who} lifted ${person}'s timeout`;
    case "member.blocked": return `${who} blocked ${person}`;
    case "member.unblocked": return `${who} unblocked ${person}`;
    case "member.note_changed": return `${who} updated the moderation note on ${person}`;
    case "channel.created": return `${who} created ${channel}`;
    case "channel.renamed": return `${who} renamed #${str(m.from)} to #${str(m.to)}`;
    case "channel.updated": return `${who} changed ${Array.isArray(m.fields) ? m.fields.join(", ").replaceAll("_", " ") : "the settings"} of a channel`;
    case "channel.archived": return `${who} archived ${channel}`;
    case "channel.unarchived": return `${who} unarchived ${channel}`;
    case "channel.deleted": return `${who} deleted ${channel}`;
    case "workspace.renamed": return `${who} renamed the workspace to ${str(m.to)}`;
    case "workspace.updated": return `${who} changed the workspace's ${Array.isArray(m.fields) ? m.fields.join(" and ").replaceAll("_", " ") : "settings"}`;
    case "workspace.deleted": return `${who} deleted the workspace`;
    case "workspace.ownership_transferred": return `${who} handed the workspace to ${name(str(m.new_owner_id))}`;
    case "bot.created": return `${who} created the bot ${str(m.display_name) || person}`;
    case "bot.retired": return `${who} retired the bot @${str(m.handle)}`;
    case "bot.removed_from_workspace": return `${who} removed the bot ${person} from the workspace`;
    case "bot_token.minted": return `${who} minted the token "${str(m.name)}" for ${name(str(m.bot_user_id))}`;
    case "bot_token.revoked": return `${who} revoked the token "${str(m.name)}" of ${name(str(m.bot_user_id))}`;
    case "slash_command.created": return `${who} registered ${str(m.command)}`;
    case "slash_command.secret_rotated": return `${who} replaced the signing secret of ${str(m.command)}`;
    case "slash_command.revoked": return `${who} revoked ${str(m.command)}`;
    case "event_subscription.created": return `${who} subscribed ${str(m.callback_url)} to events`;
    case "event_subscription.secret_rotated": return `${who} replaced the signing secret of the subscription to ${str(m.callback_url)}`;
    case "event_subscription.revoked": return `${who} stopped the subscription to ${str(m.callback_url)}`;
    case "event_subscription.enabled": return `${who} resumed the subscription to ${str(m.callback_url)}`;
    case "event_subscription.redelivered": return `${who} sent an event once more to a subscription`;
    case "app.installed": return `${who} installed the app ${str(m.app_slug)}`;
    case "app.revoked": return `${who} removed the app ${str(m.app_slug)}`;
    case "bot_setup_code.minted": return `${who} made a setup code for ${name(str(m.bot_user_id))} (token "${str(m.name)}")`;
    case "incoming_webhook.created": return `${who} made the incoming webhook "${str(m.name)}"`;
    case "incoming_webhook.secret_rotated": return `${who} replaced the URL of the incoming webhook "${str(m.name)}"`;
    case "incoming_webhook.revoked": return `${who} deleted the incoming webhook "${str(m.name)}"`;
    default: return `${who}: ${e.action.replaceAll("_", " ").replace(".", " ")} (${e.target_type} ${e.target_id})`;
  }
}
