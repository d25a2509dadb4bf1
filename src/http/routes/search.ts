// Message search. Any query string is valid (src/search/query.ts turns it into safe FTS5
// expressions); what comes back is only what the caller could read anyway.
import { Elysia, t } from "elysia";
import { invalid, notFound } from "../../chat/errors.ts";
import { decodeCursor, encodeCursor } from "../../search/cursor.ts";
import { parseQuery } from "../../search/query.ts";
import { snippet } from "../../search/snippet.ts";
import type { Deps } from "../deps.ts";
import { errors, MessageSchema, Omitted, Int } from "../schemas.ts";

const SEARCH_DEFAULT_LIMIT = 20;
const SEARCH_MAX_LIMIT = 100;

const SearchResultSchema = t.Object({
  message: MessageSchema,
  snippet: t.String({ description: "The message around its first match, on one line" }),
  highlights: t.Array(t.Object({ start: Int(), end: Int() }), { description: "Matched ranges of `snippet`, in UTF-16 code units (String.prototype.slice)" }),
  channel_id: Omitted(t.String()),
  direct_conversation_id: Omitted(t.String()),
  score: t.Number({ description: "Relevance (bm25, higher is better); 0 where only filters matched" }),
  rank: t.Number({ description: "The original's name for the relevance: the same number as score" }),
}, { title: "SearchResult" });

/** Sort names bots use, the original's among them, mapped onto the two orders we keep. */
const SORTS: Record<string, "relevance" | "recent"> = {
  relevance: "relevance", rank: "relevance", best: "relevance", best_match: "relevance",
  recent: "recent", newest: "recent", latest: "recent", date: "recent", created_at: "recent", time: "recent",
};

export const searchRoutes = ({ auth, access, store, limits }: Deps) =>
  new Elysia().get(
    "/api/search",
    async ({ request, query }) => {
      const actor = await auth.require(request);
      const m = await access.member(actor, query.workspace_id);
      if (query.channel_id && query.direct_conversation_id) throw invalid("give channel_id or direct_conversation_id, not both");
      let channelId: string | undefined;
      let dmId: string | undefined;
      if (query.channel_id) {
        const { channel } = await access.channel(actor, query.channel_id, "read");
        if (channel.workspaceId !== query.workspace_id) throw notFound("channel");
        channelId = channel.id;
      }
      if (query.direct_conversation_id) {
        const { dm } = await access.dm(actor, query.direct_conversation_id, "read");
        if (dm.workspaceId !== query.workspace_id) throw notFound("direct conversation");
        dmId = dm.id;
      }
      const sort = SORTS[(query.sort ?? "relevance").toLowerCase()];
      if (!sort) throw invalid(`sort must be one of ${Object.keys(SORTS).join(", ")}`);
      const limit = Math.min(SEARCH_MAX_LIMIT, Math.max(1, Math.floor(query.limit ?? SEARCH_DEFAULT_LIMIT)));
      const q = query.q ?? "";
      const binding = [query.workspace_id, q, channelId, dmId, sort];
      const parsed = parseQuery(q);
      const { hits, next } = await limits.search(actor.user, () => store.search.search({
        workspaceId: query.workspace_id,
        viewerId: actor.user.id,
        guestOnly: m.role === "guest",
        // A bot reads DMs only with dms:read, here as everywhere.
        includeDms: !actor.scopes || actor.scopes.has("dms:read"),
        channelId,
        dmId,
        query: parsed,
        sort,
        limit,
        after: query.cursor ? decodeCursor(query.cursor, binding) : null,
      }));
      return {
        results: hits.map(({ message, score }) => ({
          message,
          ...snippet(message.body, parsed.highlights),
          channel_id: message.channel_id,
          direct_conversation_id: message.direct_conversation_id,
          score,
          rank: score,
        })),
        next_cursor: next ? encodeCursor(next, binding) : null,
      };
    },
    {
      query: t.Object({
        workspace_id: t.String({ maxLength: 64 }),
        q: t.Optional(t.String({ maxLength: 10_000, description: 'Words (ANDed), "exact phrases", from:@handle, in:#channel, in:thread, before:YYYY-MM-DD, after:YYYY-MM-DD, has:file. Any text is valid.' })),
        channel_id: t.Optional(t.String({ maxLength: 64 })),
        direct_conversation_id: t.Optional(t.String({ maxLength: 64 })),
        // Clamped to 1–100 rather than refused, like page limits.
        limit: t.Optional(t.Numeric()),
        cursor: t.Optional(t.String({ maxLength: 512 })),
        sort: t.Optional(t.String({ maxLength: 32, description: "relevance (also rank, best, best_match: bm25, then newest) or recent (also newest, latest, date, created_at, time: newest first)" })),
      }),
      detail: { summary: "Search messages you can read (partial words, Japanese and other unspaced scripts, phrases, filters)", tags: ["search"] },
      response: { 200: t.Object({ results: t.Array(SearchResultSchema), next_cursor: t.Union([t.String(), t.Null()]) }), ...errors },
    },
  );
