// Stored sign-ins, one per server URL, in the user's config directory with 0600 permissions. A
// token is looked up by the exact (normalised) server URL, so it is never sent to another server.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface StoredLogin {
  token: string;
  user_id?: string;
  handle?: string;
  saved_at: string;
}

interface CredentialsFile {
  version: 1;
  /** The server of the last login: the default when neither --server nor CLICKCLACK_SERVER is set. */
  default_server?: string;
  servers: Record<string, StoredLogin>;
}

export function configDir(env: Record<string, string | undefined>): string {
  if (env.CLICKCLACK_CONFIG_DIR) return env.CLICKCLACK_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "clickclack");
}

/** `http://Host:80/x/` → `http://host/x`: one key per server however it is spelled. */
export function serverKey(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
}

export class Credentials {
  readonly path: string;
  private data: CredentialsFile;

  constructor(env: Record<string, string | undefined>, private warn: (text: string) => void = () => {}) {
    this.path = join(configDir(env), "credentials.json");
    this.data = this.read();
  }

  private read(): CredentialsFile {
    if (!existsSync(this.path)) return { version: 1, servers: {} };
    const mode = statSync(this.path).mode & 0o777;
    if (mode & 0o077) {
      // Like ssh: secrets readable by others are a mistake worth fixing, and saying so.
      chmodSync(this.path, 0o600);
      this.warn(`${this.path} was readable by others (mode ${mode.toString(8)}); set it to 600`);
    }
    try {
      const parsed = JSON.parse(readFileSync(this.path, "utf8")) as CredentialsFile;
      return { version: 1, default_server: parsed.default_server, servers: parsed.servers ?? {} };
    } catch {
      this.warn(`${this.path} is not valid JSON; ignoring it (log in again to replace it)`);
      return { version: 1, servers: {} };
    }
  }

  get defaultServer(): string | undefined {
    return this.data.default_server;
  }

  get(server: string): StoredLogin | undefined {
    return this.data.servers[serverKey(server)];
  }

  save(server: string, login: Omit<StoredLogin, "saved_at">): void {
    const key = serverKey(server);
    this.data.servers[key] = { ...login, saved_at: new Date().toISOString() };
    this.data.default_server = key;
    this.write();
  }

  /** True when something was removed. */
  remove(server: string): boolean {
    const key = serverKey(server);
    if (!this.data.servers[key]) return false;
    delete this.data.servers[key];
    if (this.data.default_server === key) delete this.data.default_server;
    this.write();
    return true;
  }

  private write(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}
