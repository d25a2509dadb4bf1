// Examples for the OpenAPI document: one team (Ada in #general), consistent across schemas and
// operations, so a reader can follow ids from one example to the next. Absent optional keys are
// left out, as on the wire.
const user = {
  id: "usr_01jd3k0m7x4y9z2a5b8c1d6e0f",
  kind: "human",
  display_name: "Ada Lovelace",
  handle: "ada",
  avatar_url: "",
  created_at: "2026-01-05T09:00:00.000Z",
};

const workspace = {
  id: "wsp_01jd3k0m8a1b2c3d4e5f6g7h8j",
  route_id: "T4K7Q2M9X1P3R5S8V",
  name: "Analytical Engines",
  slug: "engines",
  icon_url: "",
  created_at: "2026-01-05T09:00:00.000Z",
  role: "owner",
};

const channel = {
  id: "chn_01jd3k0m8m9n0p1q2r3s4t5v6w",
  route_id: "C8W2E4R6T8Y1U3I5O",
  workspace_id: workspace.id,
  name: "general",
  kind: "public",
  external_managed: false,
  created_at: "2026-01-05T09:00:00.000Z",
  last_seq: 42,
  last_read_seq: 40,
  unread_count: 2,
  mention_count: 1,
};

const message = {
  id: "msg_01jd3k2a0b1c2d3e4f5g6h7j8k",
  route_id: "M2N4P6Q8R0S2T4V6W",
  workspace_id: workspace.id,
  channel_id: channel.id,
  author_id: user.id,
  thread_root_id: "msg_01jd3k2a0b1c2d3e4f5g6h7j8k",
  channel_seq: 42,
  body: "The engine weaves algebraic patterns **just as** the loom weaves flowers.",
  body_format: "markdown",
  created_at: "2026-01-05T09:30:00.000Z",
  kind: "message",
  nonce: "note-2026-01-05-1",
  reactions: [],
};

const event = {
  id: "evt_01jd3k2a0c1d2e3f4g5h6j7k8m",
  cursor: "cur_01jd3k2a0c1d2e3f4g5h6j7k8m",
  type: "message.created",
  workspace_id: workspace.id,
  channel_id: channel.id,
  seq: 42,
  created_at: "2026-01-05T09:30:00.000Z",
  payload: { message_id: message.id, author_id: user.id, nonce: message.nonce },
  mentioned_user_ids: [],
};

const messagePage = { messages: [message], oldest_seq: 42, newest_seq: 42, has_older: true, has_newer: false };

/** Examples attached to the named schemas. */
export const SCHEMA_EXAMPLES = { user, workspace, channel, message, event, messagePage };

/** Request and response examples of the main operations, keyed by the access-policy route key. */
export const OPERATION_EXAMPLES: Record<string, { request?: unknown; response?: [status: string, value: unknown] }> = {
  "GET /api/me": { response: ["200", { user }] },
  "GET /api/workspaces": { response: ["200", { workspaces: [workspace] }] },
  "POST /api/workspaces": { request: { name: "Analytical Engines", slug: "engines" } },
  "GET /api/workspaces/:id/channels": { response: ["200", { channels: [channel] }] },
  "POST /api/workspaces/:id/channels": { request: { name: "general", kind: "public" } },
  "GET /api/channels/:id/messages": { response: ["200", messagePage] },
  "POST /api/channels/:id/messages": {
    request: { body: "The engine weaves algebraic patterns **just as** the loom weaves flowers.", nonce: "note-2026-01-05-1" },
    response: ["201", { message, event }],
  },
  "PATCH /api/messages/:id": { request: { body: "The engine weaves algebraic patterns." } },
  "POST /api/messages/:id/thread/replies": { request: { body: "Which loom?", nonce: "reply-1" } },
  "POST /api/messages/:id/reactions": { request: { emoji: "👍" } },
  "POST /api/dms/:id/messages": { request: { body: "Lunch at noon?", nonce: "dm-1" } },
  "POST /api/auth/magic/request": { request: { email: "ada@example.com" } },
  "POST /api/workspaces/:id/bots/:bot_user_id/setup-codes": { request: { name: "gateway", scopes: ["bot:write"], defaults: { defaultTo: "channel:general" } } },
  "POST /api/bot-setup-codes/claim": { request: { code: "5E1H-T82C-TEZ0" } },
  "PUT /api/bots/self/commands": { request: { commands: [{ command: "/deploy", description: "Ship a branch", args_hint: "[branch]" }, { command: "/status", description: "What is running" }] } },
};
