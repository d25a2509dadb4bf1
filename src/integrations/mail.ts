// Outgoing mail over SMTP (nodemailer): what the server sends people, in plain text and HTML.
import type { Transporter } from "nodemailer";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** nodemailer loads with the first mail, not at start (the server's cold start is measured). */
export function smtpMailer(cfg: { smtpUrl: string; from: string }): Mailer {
  let transport: Promise<Transporter> | null = null;
  let closed = false;
  const open = () => (transport ??= import("nodemailer").then((m) => m.default.createTransport(cfg.smtpUrl)));
  return {
    async send(mail) {
      if (closed) throw new Error("mailer closed");
      await (await open()).sendMail({ from: cfg.from, ...mail });
    },
    close() {
      closed = true;
      void transport?.then((t) => t.close());
    },
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The sign-in link someone asked for. */
export function magicLinkMail(to: string, url: string, ttlMinutes: number): Mail {
  return {
    to,
    subject: "Your ClickClack sign-in link",
    text: `Sign in to ClickClack:\n\n${url}\n\nThe link works once, for ${ttlMinutes} minutes. If you did not ask for it, ignore this email.\n`,
    html: `<p>Sign in to ClickClack:</p><p><a href="${escapeHtml(url)}">Sign in</a></p>`
      + `<p>The link works once, for ${ttlMinutes} minutes. If you did not ask for it, ignore this email.</p>`,
  };
}

/** An invite a manager sent to one address. */
export function inviteMail(to: string, o: { workspace: string; inviter: string; url: string; expiresAt: string | null }): Mail {
  const until = o.expiresAt ? ` It works until ${o.expiresAt.slice(0, 16).replace("T", " ")} UTC.` : "";
  return {
    to,
    subject: `${o.inviter} invited you to ${o.workspace} on ClickClack`,
    text: `${o.inviter} invited you to join ${o.workspace} on ClickClack:\n\n${o.url}\n\nOpen the link and enter this address to get a sign-in link.${until}\n`,
    html: `<p>${escapeHtml(o.inviter)} invited you to join <strong>${escapeHtml(o.workspace)}</strong> on ClickClack.</p>`
      + `<p><a href="${escapeHtml(o.url)}">Join ${escapeHtml(o.workspace)}</a></p><p>Open the link and enter this address to get a sign-in link.${escapeHtml(until)}</p>`,
  };
}

/** The sign-in link that carries an invite: opening it signs in and joins. */
export function inviteSignInMail(to: string, o: { workspace: string; url: string; ttlMinutes: number }): Mail {
  return {
    to,
    subject: `Join ${o.workspace} on ClickClack`,
    text: `Sign in and join ${o.workspace}:\n\n${o.url}\n\nThe link works once, for ${o.ttlMinutes} minutes. If you did not ask for it, ignore this email.\n`,
    html: `<p>Sign in and join <strong>${escapeHtml(o.workspace)}</strong>:</p><p><a href="${escapeHtml(o.url)}">Join ${escapeHtml(o.workspace)}</a></p>`
      + `<p>The link works once, for ${o.ttlMinutes} minutes. If you did not ask for it, ignore this email.</p>`,
  };
}

export interface DigestItem {
  author: string;
  /** "#general", "a direct message", "a thread in #general". */
  where: string;
  excerpt: string;
  url: string;
}

/** Mentions a person missed while away, in one mail, with a way out that needs no sign-in. */
/** `unsubscribeUrl` is the page a person opens; `oneClickUrl` takes a mail client's List-Unsubscribe-Post (RFC 8058). */
export function digestMail(to: string, o: { items: DigestItem[]; more: number; unsubscribeUrl: string; oneClickUrl: string; settingsUrl: string }): Mail {
  const n = o.items.length + o.more;
  const more = o.more > 0 ? `…and ${o.more} more.` : "";
  return {
    to,
    subject: n === 1 ? `${o.items[0]!.author} mentioned you on ClickClack` : `${n} mentions while you were away on ClickClack`,
    text: `While you were away:\n\n${o.items.map((i) => `${i.author} in ${i.where}:\n  ${i.excerpt}\n  ${i.url}\n`).join("\n")}${more ? `\n${more}\n` : ""}`
      + `\nStop these emails: ${o.unsubscribeUrl}\nNotification settings: ${o.settingsUrl}\n`,
    html: `<p>While you were away:</p><ul>${o.items.map((i) => `<li><p><strong>${escapeHtml(i.author)}</strong> in ${escapeHtml(i.where)}:</p>`
      + `<blockquote>${escapeHtml(i.excerpt)}</blockquote><p><a href="${escapeHtml(i.url)}">Open the message</a></p></li>`).join("")}</ul>`
      + (more ? `<p>${escapeHtml(more)}</p>` : "")
      + `<p style="font-size:small"><a href="${escapeHtml(o.unsubscribeUrl)}">Stop these emails</a> · <a href="${escapeHtml(o.settingsUrl)}">Notification settings</a></p>`,
    headers: { "List-Unsubscribe": `<${o.oneClickUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}
