// Uploads: multipart in (streamed to storage, quota reserved first, type sniffed), bytes out
// (access-checked on every request, ranged, never rendered as a page), and attaching a file to
// a message after it was posted.
import { Elysia, t } from "elysia";
import type { Actor } from "../../access/actor.ts";
import { avatarUploadId, AVATAR_TYPES } from "../../chat/avatars.ts";
import { AppError, forbidden, notFound } from "../../chat/errors.ts";
import type { UploadRecord } from "../../store/store.ts";
import { contentDisposition, parseRange, servingOf } from "../../uploads/http.ts";
import type { Deps } from "../deps.ts";
import { normalizeNonce } from "../message-input.ts";
import { ErrorSchema, EventSchema, errors, MessageSchema, UploadSchema } from "../schemas.ts";

const NONCE_HEADER = { "X-ClickClack-Upload-Nonce": "supported" };
const UploadEnvelope = t.Object({ upload: UploadSchema });
const STREAMED = Symbol("streamed");
const BYTES_RESPONSES = {
  200: { description: "The bytes", content: { "application/octet-stream": { schema: { type: "string" as const, format: "binary" } } } },
  206: { description: "The requested byte range", content: { "application/octet-stream": { schema: { type: "string" as const, format: "binary" } } } },
  ...Object.fromEntries([...Object.keys(errors), "416", "503"].map((code) => [code, { description: `Error ${code}`, content: { "application/json": { schema: ErrorSchema } } }])),
};

export const uploadRoutes = (deps: Deps) => {
  const { auth, access, store, limits, uploads: service } = deps;

  /** Who may fetch an upload: its owner; else whoever can read the message it is attached to. */
  async function assertCanRead(actor: Actor, record: UploadRecord): Promise<void> {
    const membership = await access.member(actor, record.upload.workspace_id);
    if (record.upload.owner_id === actor.user.id) return;
    if (record.messageId) {
      const info = await store.messages.scopeOf(record.messageId);
      if (!info || info.deleted) throw notFound("upload");
      await access.message(actor, record.messageId, "read");
      return;
    }
    // Never attached: shared with the workspace's members (a workspace icon, a file about to be
    // posted), but not with guests. Detached from a deleted message: its owner's alone.
    if (record.detachedAt || membership.role === "guest") throw notFound("upload");
  }

  /** An upload's bytes, ranged, never rendered as a page. */
  async function serveBytes(request: Request, record: UploadRecord, cacheControl: string): Promise<Response> {
    const size = record.upload.byte_size;
    const range = parseRange(request.headers.get("range"), size);
    if (range === "unsatisfiable") {
      throw new AppError(416, "range_not_satisfiable", `the file has ${size} bytes`, undefined, { "Content-Range": `bytes */${size}` });
    }
    const { start, end } = range ?? { start: 0, end: size };
    const body = await service.storage.read(record.storageKey, start, end).catch((err: Error) => {
      throw new AppError(503, "unavailable", `upload storage is unavailable: ${err.message}`);
    });
    if (!body) throw notFound("upload content");
    const { type, disposition } = servingOf(record.upload.content_type);
    const headers: Record<string, string> = {
      "Content-Type": type,
      "Content-Disposition": contentDisposition(disposition, record.upload.filename),
      "Content-Length": String(end - start),
      "Accept-Ranges": "bytes",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "sandbox",
      "Cache-Control": cacheControl,
    };
    if (range) headers["Content-Range"] = `bytes ${start}-${end - 1}/${size}`;
    return new Response(body, { status: range ? 206 : 200, headers });
  }

  return new Elysia()
    .post(
      "/api/uploads",
      async ({ request, query, set }) => {
        const actor = await auth.require(request);
        const m = await access.member(actor, query.workspace_id);
        access.assertCanWrite(m);
        if (m.role === "guest") throw forbidden("guests cannot upload files", "guest_restricted");
        limits.take("uploads", actor.user);
        const result = await service.receive({ request, workspaceId: query.workspace_id, ownerId: actor.user.id, nonce: normalizeNonce(query.nonce) });
        set.status = result.replayed ? 200 : 201;
        return { upload: result.upload };
      },
      {
        query: t.Object({ workspace_id: t.String({ maxLength: 64 }), nonce: t.Optional(t.String({ maxLength: 512 })) }),
        // The body streams from the socket to storage: Elysia must not buffer the form.
        parse: ({ contentType }) => (contentType.startsWith("multipart/") ? STREAMED : undefined),
        detail: {
          summary: "Upload a file (multipart field `file`, at most 64 MiB): 201, or 200 when the nonce replays the same file (409 for another)",
          tags: ["uploads"],
          requestBody: {
            required: true,
            content: { "multipart/form-data": { schema: { type: "object", required: ["file"], properties: { file: { type: "string", format: "binary" } } } } },
          },
        },
        response: { 200: UploadEnvelope, 201: UploadEnvelope, ...errors },
      },
    )
    .get(
      "/api/uploads/by-nonce",
      async ({ request, query, set }) => {
        Object.assign(set.headers, NONCE_HEADER);
        const actor = await auth.require(request);
        await access.member(actor, query.workspace_id);
        const nonce = normalizeNonce(query.nonce);
        const record = nonce ? await store.uploads.byNonce(query.workspace_id, actor.user.id, nonce) : null;
        if (!record) throw notFound("upload");
        return { upload: record.upload };
      },
      {
        query: t.Object({ workspace_id: t.String({ maxLength: 64 }), nonce: t.String({ minLength: 1, maxLength: 512 }) }),
        detail: { summary: "Your upload with this nonce (404 carries X-ClickClack-Upload-Nonce: supported)", tags: ["uploads"] },
        response: { 200: UploadEnvelope, ...errors },
      },
    )
    .get(
      "/api/uploads/:id",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        const record = await store.uploads.get(params.id);
        if (!record) throw notFound("upload");
        await assertCanRead(actor, record);
        return serveBytes(request, record, "private, max-age=3600");
      },
      {
        detail: {
          summary: "Download an upload (access-checked; Range requests answer 206; HTML, SVG and unknown types download as attachments)",
          tags: ["uploads"],
          // Documented by hand: the answer is bytes, which a response schema cannot describe.
          responses: BYTES_RESPONSES,
        },
      },
    )
    .get(
      "/api/users/:id/avatar",
      async ({ request, params }) => {
        const actor = await auth.require(request);
        // A bot token sees the people of its own workspace, as everywhere else.
        if (actor.tokenWorkspaceId && !(await store.workspaces.membership(actor.tokenWorkspaceId, params.id))) throw notFound("avatar");
        const user = await store.users.get(params.id);
        const uploadId = user ? avatarUploadId(user.avatar_url, user.id) : null;
        const record = uploadId ? await store.uploads.get(uploadId) : null;
        if (!record || !AVATAR_TYPES.has(record.upload.content_type)) throw notFound("avatar");
        // The URL names the upload: a new picture is a new URL, so this answer never goes stale.
        return serveBytes(request, record, "private, max-age=86400, immutable");
      },
      { detail: { summary: "A person's avatar (an image upload of theirs), to anyone signed in", tags: ["users"], responses: BYTES_RESPONSES } },
    )
    .post(
      "/api/messages/:id/attachments",
      async ({ request, params, body }) => {
        const actor = await auth.require(request);
        access.requireScope(actor, "messages:write");
        await access.message(actor, params.id, "write");
        const { message, event } = await store.uploads.attach(params.id, body.upload_id.trim(), actor.user.id);
        return event ? { ok: true as const, message, event } : { ok: true as const, message };
      },
      {
        parse: "json",
        body: t.Object({ upload_id: t.String({ minLength: 1, maxLength: 64 }) }),
        detail: { summary: "Attach your upload to your message (writes message.updated; attaching it again changes nothing)", tags: ["uploads"] },
        response: { 200: t.Object({ ok: t.Literal(true), message: MessageSchema, event: t.Optional(EventSchema) }), ...errors },
      },
    );
};
