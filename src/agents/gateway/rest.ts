// The native REST API under /api/v1: prompt, parallel, compare, chain, backends, sessions.
// With `stream: true` the unified events go out as NDJSON, ending with a "result" line.
import { allAvailability } from "../backends/registry.ts";
import { type AgentEvent, type BackendName, isBackendName } from "../backends/types.ts";
import { usageError } from "../errors.ts";
import {
  type ChainStep,
  chain,
  compare,
  type OrchestrationContext,
  outcomeToWire,
  parallel,
  succeeded,
  type Task,
  type TaskOutcome,
} from "../orchestrate.ts";
import { cancelRun, resultToWire } from "../run.ts";
import { sessionToWire } from "../sessions.ts";
import { asObject, parseRunOptions, parseTaskList } from "../spec.ts";
import { admit } from "./admit.ts";
import type { Caller, Gateway } from "./context.ts";
import { errorBody, fromError, HttpError, json, readJson } from "./http.ts";
import { launch } from "./launch.ts";
import { retryHeaders, statusOf, streamResponse } from "./stream.ts";

const NDJSON = "application/x-ndjson";
const line = (o: object) => `${JSON.stringify(o)}\n`;

async function body(gw: Gateway, caller: Caller): Promise<Record<string, unknown>> {
  return asObject(await readJson(caller.req, gw.maxBody), "body");
}

async function prompt(gw: Gateway, caller: Caller): Promise<Response> {
  const b = await body(gw, caller);
  const opts = admit(gw, caller, parseRunOptions(b, "body", ["stream"]));
  const run = launch(opts, gw.run, caller.signal);
  gw.track(run.result).catch(() => undefined);
  if (b.stream !== true) {
    const result = await run.result;
    const wire = resultToWire(result);
    if (result.status === "completed") return json(wire);
    const status = statusOf(result);
    return json({ ...errorBody("rest", status, result.error ?? `agent run ${result.status}`), result: wire }, status, retryHeaders(result));
  }
  const ready = await run.ready;
  if (ready.kind === "error") return fromError("rest", ready.error);
  if (ready.kind === "ended" && ready.result.status !== "completed") {
    const status = statusOf(ready.result);
    return json({ ...errorBody("rest", status, ready.result.error ?? "agent run failed"), result: resultToWire(ready.result) }, status, retryHeaders(ready.result));
  }
  return streamResponse(run, NDJSON, async (w) => {
    for await (const e of run.events()) w.write(line(e));
    w.write(line({ type: "result", ...resultToWire(await run.result) }));
  });
}

/** Runs an orchestration, as one JSON document or as NDJSON events tagged with their task. */
function orchestrated(
  gw: Gateway,
  caller: Caller,
  stream: boolean,
  go: (ctx: OrchestrationContext) => Promise<TaskOutcome[]>,
): Promise<Response> | Response {
  const wire = (outcomes: TaskOutcome[]) => ({
    ok: outcomes.every(succeeded),
    tasks: outcomes.map((o) => outcomeToWire(o, resultToWire)),
  });
  const ctx: OrchestrationContext = { ...gw.run, signal: caller.signal };
  if (!stream) {
    return gw.track(go(ctx)).then((outcomes) => {
      const doc = wire(outcomes);
      if (doc.ok) return json(doc);
      return json({ ...errorBody("rest", 502, "one or more tasks did not complete"), ...doc }, 502);
    });
  }
  // Validation errors surface before the 200: go() checks everything synchronously first.
  const ac = new AbortController();
  caller.signal.addEventListener("abort", () => ac.abort(), { once: true });
  const queue: string[] = [];
  let wake: (() => void) | null = null;
  const push = (s: string) => {
    queue.push(s);
    wake?.();
  };
  const done = gw.track(go({
    ...ctx,
    signal: ac.signal,
    onEvent: (task, e: AgentEvent) => push(line({ task: task.index, name: task.name, ...e })),
  }));
  let finished = false;
  const settled = done.then(
    (o) => push(line({ type: "result", ...wire(o) })),
    (e) => push(line({ type: "error", message: e instanceof Error ? e.message : String(e) })),
  );
  settled.finally(() => {
    finished = true;
    wake?.();
  });
  return streamResponse({ abort: () => ac.abort() }, NDJSON, async (w) => {
    for (;;) {
      while (queue.length) w.write(queue.shift() as string);
      if (finished) return;
      await new Promise<void>((r) => {
        wake = r;
      });
      wake = null;
    }
  });
}

function tasksFrom(gw: Gateway, caller: Caller, b: Record<string, unknown>, key: "tasks" | "steps", extra: string[]) {
  return parseTaskList(b, key, extra).items.map(({ raw, opts }) => ({
    raw,
    opts: admit(gw, caller, opts),
  }));
}

async function parallelRoute(gw: Gateway, caller: Caller): Promise<Response> {
  const b = await body(gw, caller);
  const tasks: Task[] = tasksFrom(gw, caller, b, "tasks", ["name"]).map(({ raw, opts }) => ({
    ...opts,
    ...(typeof raw.name === "string" ? { name: raw.name } : {}),
  }));
  const max = b.max_parallel;
  if (max !== undefined && (typeof max !== "number" || !Number.isInteger(max) || max < 1)) {
    throw usageError("max_parallel must be a positive integer");
  }
  const opts = { ...(typeof max === "number" ? { maxParallel: max } : {}), failFast: b.fail_fast === true };
  return orchestrated(gw, caller, b.stream === true, (ctx) => parallel(tasks, opts, ctx));
}

async function compareRoute(gw: Gateway, caller: Caller): Promise<Response> {
  const b = await body(gw, caller);
  const { backends, sequential, stream, ...rest } = b;
  if (!Array.isArray(backends) || !backends.every(isBackendName)) {
    throw usageError("backends must be an array of claude, codex, gemini");
  }
  const base = admit(gw, caller, parseRunOptions(rest, "body"));
  return orchestrated(gw, caller, stream === true, (ctx) =>
    compare(base, backends as BackendName[], { sequential: sequential === true }, ctx),
  );
}

async function chainRoute(gw: Gateway, caller: Caller): Promise<Response> {
  const b = await body(gw, caller);
  const chainDefault = b.continue_session === true;
  const steps: ChainStep[] = tasksFrom(gw, caller, b, "steps", ["name", "continue_session"]).map(({ raw, opts }) => ({
    ...opts,
    ...(typeof raw.name === "string" ? { name: raw.name } : {}),
    continueSession: typeof raw.continue_session === "boolean" ? raw.continue_session : chainDefault,
  }));
  return orchestrated(gw, caller, b.stream === true, (ctx) => chain(steps, ctx));
}

async function sessions(gw: Gateway, caller: Caller, id: string | undefined): Promise<Response> {
  const method = caller.req.method;
  if (id === undefined) {
    if (method !== "GET") throw new HttpError(405, "use GET");
    const url = new URL(caller.req.url);
    const limit = Number(url.searchParams.get("limit") ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw usageError("limit must be 1..1000");
    const backend = url.searchParams.get("backend");
    if (backend !== null && !isBackendName(backend)) throw usageError("unknown backend");
    const list = gw.store.list({ limit, scope: caller.scope, ...(backend ? { backend } : {}) });
    const short = gw.store.shortIds(list.map((s) => s.id));
    return json({ sessions: list.map((s) => sessionToWire(s, short.get(s.id))) });
  }
  const session = gw.store.resolve(decodeURIComponent(id), caller.scope);
  if (method === "GET") return json(sessionToWire(session));
  if (method === "DELETE") {
    gw.store.delete(session.id);
    return json({ deleted: session.id });
  }
  throw new HttpError(405, "use GET or DELETE");
}

export async function rest(gw: Gateway, caller: Caller, path: string): Promise<Response> {
  const method = caller.req.method;
  const post = (fn: (gw: Gateway, c: Caller) => Promise<Response>) => {
    if (method !== "POST") throw new HttpError(405, "use POST");
    return fn(gw, caller);
  };
  switch (path) {
    case "/api/v1/prompt":
      return post(prompt);
    case "/api/v1/parallel":
      return post(parallelRoute);
    case "/api/v1/compare":
      return post(compareRoute);
    case "/api/v1/chain":
      return post(chainRoute);
    case "/api/v1/backends":
      if (method !== "GET") throw new HttpError(405, "use GET");
      return json({ backends: await allAvailability(gw.run.env ?? process.env) });
    case "/api/v1/sessions":
      return sessions(gw, caller, undefined);
  }
  const m = /^\/api\/v1\/sessions\/([^/]+)$/.exec(path);
  if (m) return sessions(gw, caller, m[1]);
  const c = /^\/api\/v1\/sessions\/([^/]+)\/cancel$/.exec(path);
  if (c) {
    if (method !== "POST") throw new HttpError(405, "use POST");
    const session = gw.store.resolve(decodeURIComponent(c[1] as string), caller.scope);
    if (!cancelRun(session.id)) throw new HttpError(409, `session ${session.id} is not running on this gateway`);
    return json({ cancelled: session.id }, 202);
  }
  throw new HttpError(404, `no route ${method} ${path}`);
}
