// The HTTP application: error mapping, body limits, security headers, the OpenAPI document and
// every route module. Route modules are small Elysia instances composed here.
import { type AnyElysia, Elysia } from "elysia";
import { AppError } from "../chat/errors.ts";
import { LIMITS } from "../chat/rules.ts";
import { enforcePolicy } from "../access/policy.ts";
import { metricsRoutes } from "./metrics.ts";
import { omitAbsent, type Schema } from "./omit-absent.ts";
import { sharedRenderingsBody } from "./render-json.ts";
import { openApiRoutes } from "./openapi.ts";
import { requestContext, requestLog } from "./request-log.ts";
import { requestTrace } from "./request-trace.ts";
import type { Deps } from "./deps.ts";
import { administrationRoutes } from "./routes/administration.ts";
import { appRoutes } from "./routes/apps.ts";
import { connectedAccountRoutes } from "./routes/connected-accounts.ts";
import { authRoutes } from "./routes/auth.ts";
import { botCommandRoutes } from "./routes/bot-commands.ts";
import { botSetupRoutes } from "./routes/bot-setup.ts";
import { botRoutes } from "./routes/bots.ts";
import { channelRoutes } from "./routes/channels.ts";
import { channelMemberRoutes } from "./routes/channel-members.ts";
import { moderationRoutes } from "./routes/moderation.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { pushRoutes } from "./routes/push.ts";
import { dmRoutes } from "./routes/dms.ts";
import { eventSubscriptionRoutes } from "./routes/event-subscriptions.ts";
import { githubRoutes } from "./routes/github.ts";
import { oidcRoutes } from "./routes/oidc.ts";
import { passwordRoutes } from "./routes/password.ts";
import { healthRoutes } from "./routes/health.ts";
import { meRoutes } from "./routes/me.ts";
import { messageRoutes } from "./routes/messages.ts";
import { questionRoutes } from "./routes/questions.ts";
import { realtimeRoutes } from "./routes/realtime.ts";
import { routeRoutes } from "./routes/routes.ts";
import { slashCommandRoutes } from "./routes/slash-commands.ts";
import { incomingWebhookRoutes } from "./routes/incoming-webhooks.ts";
import { searchRoutes } from "./routes/search.ts";
import { uploadRoutes } from "./routes/uploads.ts";
import { webRoutes } from "./routes/web.ts";
import { workspaceRoutes } from "./routes/workspaces.ts";
import { inviteRoutes } from "./routes/invites.ts";
import { digestRoutes } from "./routes/digest.ts";

const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "frame-ancestors 'none'",
};

/** Reads a request body with a hard cap, so an oversized body is refused without being held. */
export async function readCapped(request: Request, max: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > max) throw new AppError(413, "too_large", `request body is larger than ${max} bytes`);
  // A declared length within the cap is all the server will read (HTTP/1.1 framing): the body is
  // read whole, natively. Reading it chunk by chunk through a stream reader was a tenth of a
  // post's CPU. Only a chunked body, whose size nobody declared, is counted as it streams in.
  if (Number.isFinite(declared)) return request.text();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new AppError(413, "too_large", `request body is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

const isIncomingHook = (request: Request) => new URL(request.url).pathname.startsWith("/api/hooks/incoming/");

function validationMessage(error: unknown): string {
  const v = (error as { valueError?: { path?: string; message?: string } }).valueError;
  if (!v) return "invalid request";
  const field = v.path ? v.path.replace(/^\//, "").replace(/\//g, ".") : "body";
  return `${field || "body"}: ${v.message ?? "invalid value"}`;
}

export function createApp(deps: Deps) {
  // Response schemas by "METHOD path", read once the routes are all registered.
  let responseSchemas: Map<string, Record<string, unknown>> | null = null;
  // The document describes the finished app, which the route that serves it belongs to.
  let root: AnyElysia | undefined;
  const app = new Elysia()
    .use(requestLog(deps.log, deps.config.accessLog))
    .use(deps.tracing ? requestTrace(deps.tracing) : new Elysia())
    .onRequest(({ request, set }) => {
      Object.assign(set.headers, SECURITY_HEADERS);
      const declared = Number(request.headers.get("content-length") ?? NaN);
      const path = new URL(request.url).pathname;
      // Uploads have their own, larger limit; every JSON body is refused above 1 MiB unread.
      if (declared > LIMITS.jsonBodyBytes && !path.startsWith("/api/uploads")) {
        set.status = 413;
        return { error: `request body is larger than ${LIMITS.jsonBodyBytes} bytes`, code: "too_large" };
      }
    })
    .onParse(async ({ request, contentType }) => {
      // Multipart is the uploads' own business; form-encoded is the slash commands'; every other
      // body in the protocol is JSON, whatever the client called it.
      if (!contentType?.startsWith("multipart/")) {
        const text = await readCapped(request, LIMITS.jsonBodyBytes);
        // No body at all: null, so no later parser tries to read JSON from nothing.
        if (text.trim() === "") return null;
        // Slash commands arrive form-encoded, as Mattermost sends them; so may an incoming
        // webhook's `payload=<json>`, also with no Content-Type or text/plain (as senders do).
        if (contentType?.startsWith("application/x-www-form-urlencoded") || ((!contentType || contentType.startsWith("text/plain")) && text.startsWith("payload=") && isIncomingHook(request))) {
          return Object.fromEntries(new URLSearchParams(text));
        }
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw new AppError(400, "malformed_json", "request body is not valid JSON");
        }
        // Every JSON body in the protocol is an object; TypeBox would let an array through a
        // schema whose fields are all optional.
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          throw new AppError(400, "invalid_request", "request body must be a JSON object");
        }
        return value;
      }
    })
    .onError(({ code, error, set, request }) => {
      const appError = error instanceof AppError ? error : (error as { cause?: unknown })?.cause instanceof AppError ? ((error as { cause: AppError }).cause) : null;
      if (appError) {
        set.status = appError.status;
        if (appError.headers) Object.assign(set.headers, appError.headers);
        return { error: appError.message, code: appError.code, ...appError.extra };
      }
      switch (code) {
        case "VALIDATION":
          set.status = 400;
          return { error: validationMessage(error), code: "invalid_request" };
        case "PARSE":
          set.status = 400;
          return { error: "request body could not be parsed", code: "malformed_body" };
        case "NOT_FOUND":
          set.status = 404;
          return { error: "no such route", code: "not_found" };
        case "INVALID_COOKIE_SIGNATURE":
          set.status = 400;
          return { error: "invalid cookie", code: "invalid_cookie" };
        default: {
          const e = error as { status?: number; message?: string };
          if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) {
            set.status = e.status;
            return { error: e.message ?? "bad request", code: e.status === 413 ? "too_large" : "bad_request" };
          }
          deps.log.error({ err: error, request_id: requestContext(request).id }, "unhandled error");
          set.status = 500;
          return { error: "internal error", code: "internal" };
        }
      }
    })
    .onAfterHandle({ as: "global" }, ({ request, route, set, responseValue }) => {
      if (responseValue === null || typeof responseValue !== "object" || responseValue instanceof Response || responseValue instanceof Blob) return;
      responseSchemas ??= new Map((root?.routes ?? []).map((r) => [`${r.method} ${r.path}`, (r.hooks as { response?: Record<string, unknown> }).response ?? {}]));
      const schemas = responseSchemas.get(`${request.method} ${route}`);
      const status = typeof set.status === "number" ? set.status : 200;
      const schema = schemas?.[String(status)];
      if (!schema) return;
      // Pages of shared renderings are written with each one's kept JSON (src/http/render-json.ts).
      const shared = sharedRenderingsBody(schema as Schema, responseValue);
      if (shared !== null) {
        // The headers set so far (security headers, the request id) go into this Response:
        // otherwise Elysia wraps its body in a second one to add them (a tenth of a hot page's
        // CPU in process). Headers that are lists, and cookies, are left to Elysia.
        const headers = set.headers as Record<string, unknown>;
        if (set.cookie || !Object.values(headers).every((v) => typeof v === "string")) {
          return new Response(shared, { status, headers: { "content-type": "application/json" } }) as never;
        }
        set.headers = {};
        return new Response(shared, { status, headers: { ...(headers as Record<string, string>), "content-type": "application/json" } }) as never;
      }
      return omitAbsent(schema as never, responseValue) as never;
    })
    .onBeforeHandle({ as: "global" }, async ({ request, route, params }) => {
      await enforcePolicy(deps.auth, request, route);
      // The router hands a path segment it cannot percent-decode over as null.
      for (const [name, value] of Object.entries(params ?? {})) {
        if (value === null) throw new AppError(400, "malformed_path", `${name} in the path is not valid percent-encoding`);
      }
    })
    .use(metricsRoutes(deps))
    .use(healthRoutes(deps))
    .use(webRoutes(deps))
    // JSON routes name their parser so the OpenAPI document lists their request bodies (a
    // function parser hides them); the capped reader above still does the reading. Uploads
    // stream multipart and stay outside.
    .guard({ parse: "json" }, (api) =>
      api
        .use(authRoutes(deps))
        .use(githubRoutes(deps))
        .use(oidcRoutes(deps))
        .use(passwordRoutes(deps))
        .use(meRoutes(deps))
        .use(workspaceRoutes(deps))
        .use(inviteRoutes(deps))
        .use(channelRoutes(deps))
        .use(channelMemberRoutes(deps))
        .use(messageRoutes(deps))
        .use(questionRoutes(deps))
        .use(dmRoutes(deps))
        .use(realtimeRoutes(deps))
        .use(botRoutes(deps))
        .use(botSetupRoutes(deps))
        .use(botCommandRoutes(deps))
        .use(eventSubscriptionRoutes(deps))
        .use(slashCommandRoutes(deps))
        .use(incomingWebhookRoutes(deps))
        .use(appRoutes(deps))
        .use(moderationRoutes(deps))
        .use(administrationRoutes(deps))
        .use(connectedAccountRoutes(deps))
        .use(searchRoutes(deps))
        .use(notificationRoutes(deps))
        .use(pushRoutes(deps))
        .use(routeRoutes(deps)),
    )
    .use(uploadRoutes(deps))
    // Its POST comes from a plain HTML form or a mail client's one-click unsubscribe (form-encoded).
    .use(digestRoutes(deps))
    .use(openApiRoutes(() => root!));
  root = app;
  return app;
}

export type App = ReturnType<typeof createApp>;
