// Everything a command needs: the resolved server, credentials and SDK client, the output, and
// lookups that turn what people type (#general, @bob, a workspace slug) into ids.
import { readFileSync } from "node:fs";
import { type Channel, ClickClackClient, type ClickClackClientOptions, type User, type Workspace } from "../../../sdk/src/index.ts";
import { Credentials } from "./credentials.ts";
import { CliError, EXIT, usageError } from "./errors.ts";
import type { Globals, Parsed } from "./flags.ts";
import { Output } from "./output.ts";

export const DEFAULT_SERVER = "http://127.0.0.1:8080";

export type AuthSource = "token" | "stored" | "dev-user" | "none";

export class Context {
  readonly globals: Globals;
  readonly out: Output;
  readonly creds: Credentials;
  readonly server: string;
  readonly client: ClickClackClient;
  /** What `client` was built from, for things that build their own (the tail's bot). */
  readonly clientOptions: ClickClackClientOptions;
  readonly auth: AuthSource;
  private workspaceCache?: Promise<Workspace>;

  constructor(
    readonly parsed: Parsed,
    readonly env: Record<string, string | undefined>,
    readonly stdin: () => Promise<string> = () => Bun.stdin.text(),
  ) {
    this.globals = parsed.globals;
    this.out = new Output(this.globals.output);
    this.creds = new Credentials(env, (text) => this.out.note(`clickclack: ${text}`));
    const server = this.globals.server ?? this.creds.defaultServer ?? DEFAULT_SERVER;
    try {
      this.server = new URL(server).toString().replace(/\/$/, "");
    } catch {
      throw usageError(`--server ${server} is not a URL`, "give the server's address, e.g. --server https://chat.example.com");
    }
    // The stored token is looked up by this exact server, so it never travels to another one.
    const stored = this.creds.get(this.server)?.token;
    const token = this.globals.token ?? stored;
    this.auth = this.globals.token ? "token" : stored ? "stored" : this.globals.user ? "dev-user" : "none";
    this.clientOptions = { baseUrl: this.server, token, userId: this.globals.user };
    this.client = new ClickClackClient(this.clientOptions);
  }

  /** --workspace (id, slug or name), else your only workspace. */
  workspace(): Promise<Workspace> {
    this.workspaceCache ??= (async () => {
      const ref = this.globals.workspace;
      if (ref?.startsWith("wsp_")) return this.client.workspaces.get(ref);
      const all = await this.client.workspaces.list();
      if (ref) {
        const found = all.find((w) => w.slug === ref || w.name === ref || w.route_id === ref);
        if (!found) throw new CliError(EXIT.notFound, `no workspace "${ref}" among yours (${all.map((w) => w.slug).join(", ") || "none"})`, "run `clickclack workspaces list`.", "not_found");
        return found;
      }
      if (all.length === 1) return all[0]!;
      if (all.length === 0) throw new CliError(EXIT.notFound, "you are not a member of any workspace", "ask an owner to add you, or create one in the web app.", "not_found");
      throw usageError(`you belong to ${all.length} workspaces (${all.map((w) => w.slug).join(", ")})`, "pick one with --workspace <slug> (or CLICKCLACK_WORKSPACE).");
    })();
    return this.workspaceCache;
  }

  /** --channel as an id (chn_…) or a name (#general or general). */
  async channel(ref = this.globals.channel): Promise<Channel> {
    if (!ref) throw usageError("which channel? pass --channel #name (or a chn_… id)", "list them with `clickclack channels list`.");
    if (ref.startsWith("chn_")) return this.client.channels.get(ref);
    const name = ref.replace(/^#/, "").toLowerCase();
    const workspace = await this.workspace();
    const found = (await this.client.channels.list(workspace.id)).find((c) => c.name === name);
    if (!found) throw new CliError(EXIT.notFound, `no channel #${name} in workspace ${workspace.slug}`, "run `clickclack channels list` to see the channels you can use.", "not_found");
    return found;
  }

  /** A person: usr_… or @handle (looked up in the workspace's member directory). */
  async user(ref: string): Promise<User> {
    if (ref.startsWith("usr_")) return { id: ref } as User;
    const handle = ref.replace(/^@/, "").toLowerCase();
    const workspace = await this.workspace();
    const page = await this.client.workspaces.members(workspace.id, { q: handle, limit: 50 });
    const found = page.members.find((m) => m.user.handle === handle)?.user;
    if (!found) throw new CliError(EXIT.notFound, `no member @${handle} in workspace ${workspace.slug}`, "check the handle; members are listed in the web app.", "not_found");
    return found;
  }

  /** A message body from the arguments, --file or --stdin (or "-"). */
  async body(words: string[], values: Parsed["values"]): Promise<string> {
    const sources = [words.length > 0 && !(words.length === 1 && words[0] === "-"), typeof values.file === "string", values.stdin === true || (words.length === 1 && words[0] === "-")];
    if (sources.filter(Boolean).length > 1) throw usageError("give the message once: as arguments, with --file, or with --stdin");
    let text: string;
    if (typeof values.file === "string") {
      try {
        text = readFileSync(values.file, "utf8");
      } catch (err) {
        throw new CliError(EXIT.notFound, `cannot read ${values.file}: ${(err as Error).message}`, undefined, "file_not_found");
      }
    } else if (sources[2]) text = await this.stdin();
    else text = words.join(" ");
    if (!text.trim()) throw usageError("the message is empty", "pass it as an argument, with --file PATH, or pipe it with --stdin.");
    return text.replace(/\n+$/, "");
  }
}
