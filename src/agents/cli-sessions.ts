// `agent sessions …` and `agent backends`: inspection commands with text or JSON output.
import { realpathSync } from "node:fs";
import { allAvailability } from "./backends/registry.ts";
import { isBackendName } from "./backends/types.ts";
import { openStore, parse } from "./cli.ts";
import { EXIT, usageError } from "./errors.ts";
import { type Session, sessionToWire } from "./sessions.ts";
import { parseDuration } from "./spec.ts";

const out = (s: string) => process.stdout.write(s);

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86_400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n") + "\n";
}

function showText(s: Session): string {
  const lines: Array<[string, string]> = [
    ["id", s.id],
    ["backend", s.backend],
    ["backend session", s.backendSessionId ?? "-"],
    ["workdir", s.workdir],
    ["model", s.model ?? "-"],
    ["status", s.status],
    ["runs / turns", `${s.runs} / ${s.turns}`],
    ["tokens in/out", `${s.usage.input_tokens} (cached ${s.usage.cached_tokens}) / ${s.usage.output_tokens}`],
    ["cost", s.costUsd === null ? "-" : `$${s.costUsd.toFixed(4)}`],
    ["title", s.title ?? "-"],
    ["tags", s.tags.join(", ") || "-"],
    ["parent", s.parentId ?? "-"],
    ["created", new Date(s.createdAt).toISOString()],
    ["updated", new Date(s.updatedAt).toISOString()],
  ];
  if (s.lastError) lines.push(["last error", s.lastError]);
  return lines.map(([k, v]) => `${k.padEnd(16)}${v}`).join("\n") + "\n";
}

export async function sessionsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    json: { type: "boolean" },
    limit: { type: "string" },
    backend: { type: "string", short: "b" },
    here: { type: "boolean" },
    "older-than": { type: "string" },
    "dry-run": { type: "boolean" },
  });
  const store = openStore();
  try {
    switch (sub) {
      case undefined:
      case "list": {
        const limit = values.limit === undefined ? 50 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1) throw usageError("--limit must be a positive integer");
        if (values.backend !== undefined && !isBackendName(values.backend)) throw usageError("unknown --backend");
        const sessions = store.list({
          limit,
          ...(values.backend ? { backend: values.backend as Session["backend"] } : {}),
          ...(values.here ? { workdir: realpathSync(process.cwd()) } : {}),
        });
        const short = store.shortIds(sessions.map((x) => x.id));
        if (values.json) out(`${JSON.stringify(sessions.map((x) => sessionToWire(x, short.get(x.id))), null, 2)}\n`);
        else if (sessions.length === 0) out("no sessions\n");
        else {
          out(
            table([
              ["ID", "BACKEND", "STATUS", "RUNS", "UPDATED", "OWNER", "TITLE"],
              ...sessions.map((x) => [short.get(x.id) ?? x.id, x.backend, x.status, String(x.runs), ago(x.updatedAt), x.owner ?? "cli", (x.title ?? "").slice(0, 50)]),
            ]),
          );
        }
        return EXIT.ok;
      }
      case "show": {
        if (positionals.length !== 1) throw usageError("usage: agent sessions show <id>");
        const session = store.resolve(positionals[0] as string);
        out(values.json ? `${JSON.stringify(sessionToWire(session), null, 2)}\n` : showText(session));
        return EXIT.ok;
      }
      case "delete": {
        if (positionals.length === 0) throw usageError("usage: agent sessions delete <id>...");
        for (const ref of positionals) {
          const session = store.resolve(ref);
          store.delete(session.id);
          out(`deleted ${session.id}\n`);
        }
        return EXIT.ok;
      }
      case "clean": {
        if (!values["older-than"]) throw usageError("usage: agent sessions clean --older-than 30d [--dry-run]");
        const cutoff = Date.now() - parseDuration(values["older-than"], "--older-than");
        const removed = store.clean(cutoff, values["dry-run"] === true);
        const verb = values["dry-run"] ? "would delete" : "deleted";
        if (values.json) out(`${JSON.stringify({ [values["dry-run"] ? "would_delete" : "deleted"]: removed.map((x) => x.id) })}\n`);
        else out(`${verb} ${removed.length} session${removed.length === 1 ? "" : "s"}\n`);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown sessions command "${sub}" (list, show, delete, clean)`);
    }
  } finally {
    store.close();
  }
}

export async function backendsCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { json: { type: "boolean" }, refresh: { type: "boolean" } });
  const all = await allAvailability(process.env, values.refresh === true);
  if (values.json) {
    out(`${JSON.stringify(all, null, 2)}\n`);
  } else {
    out(
      table([
        ["BACKEND", "AVAILABLE", "VERSION", "PATH / ERROR"],
        ...all.map((a) => [a.name, a.available ? "yes" : "no", a.version ?? "-", a.available ? (a.path ?? "") : (a.error ?? "")]),
      ]),
    );
  }
  return EXIT.ok;
}
