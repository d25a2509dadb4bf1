// A local SMTP server standing in for a mail provider: it requires the configured login, receives
// each message and parses it (mailparser), so tests read what a person would get.
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  parsed: ParsedMail;
}

export async function startFakeSmtp(login = { user: "mailer", pass: "s3cret" }) {
  const inbox: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === login.user && auth.password === login.pass) cb(null, { user: auth.username });
      else cb(new Error("invalid login"));
    },
    onData(stream, _session, cb) {
      simpleParser(stream).then((parsed) => {
        const addresses = (a: ParsedMail["to"]) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address ?? ""));
        inbox.push({ to: addresses(parsed.to), from: parsed.from?.value[0]?.address ?? "", subject: parsed.subject ?? "", text: parsed.text ?? "", html: typeof parsed.html === "string" ? parsed.html : "", parsed });
        for (const w of waiters.splice(0)) w();
        cb();
      }, cb);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://${login.user}:${login.pass}@127.0.0.1:${port}`,
    inbox,
    /** The first mail to this address, waiting for it up to `timeoutMs`. */
    async mailTo(address: string, timeoutMs = 5000): Promise<ReceivedMail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = inbox.find((m) => m.to.includes(address));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${address}; inbox: ${inbox.map((m) => m.to.join(",")).join("; ")}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
