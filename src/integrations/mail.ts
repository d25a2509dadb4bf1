// Outgoing mail over SMTP (nodemailer): what the server sends people, in plain text and HTML.
import nodemailer from "nodemailer";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function smtpMailer(cfg: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(cfg.smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({ from: cfg.from, ...mail });
    },
    close() {
      transport.close();
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
